"""Command line: list, status, print, test-label, models, encode and decode label jobs."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from printers.errors import PrinterError, PrinterErrorKind
from printers.models import MODELS, PrinterModel, get_model

EXIT_OK = 0
EXIT_PRINTER = 1  # a PrinterError: printer problem or bad input, with a hint
EXIT_NOT_READY = 3  # `status`: the printer answered but cannot print now


def _read(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise PrinterError(
            PrinterErrorKind.BAD_LABEL,
            f"Cannot read {path}: {exc.strerror or exc}",
            hint="Check the file name.",
        ) from exc


def _refuse_existing(path: Path, overwrite: bool) -> None:
    """An output file is never replaced by surprise, nor written through a symlink."""
    if path.is_symlink():
        raise PrinterError(
            PrinterErrorKind.BAD_LABEL,
            f"{path} is a symbolic link; not writing through it",
            hint="Name a plain file instead.",
        )
    if path.exists() and not overwrite:
        raise PrinterError(
            PrinterErrorKind.BAD_LABEL,
            f"{path} already exists",
            hint="Choose a new file name, or pass --overwrite to replace it.",
        )


def _refuse_existing_target(uri: str, overwrite: bool) -> None:
    """For a file:/// printer, refuse an existing output file (see _refuse_existing)."""
    from printers.uri import parse_uri

    parsed = parse_uri(uri)
    if parsed.scheme == "file" and parsed.path is not None:
        _refuse_existing(parsed.path, overwrite)


#: More copies than a roll holds is a typo, not a job (and a huge count would never end).
MAX_COPIES = 999


def _check_copies(copies: int) -> None:
    if not 1 <= copies <= MAX_COPIES:
        raise PrinterError(
            PrinterErrorKind.BAD_LABEL,
            f"--copies {copies} is out of range",
            hint=f"Give a number from 1 to {MAX_COPIES}.",
        )


def _model(name: str | None) -> PrinterModel | None:
    return get_model(name) if name else None


def cmd_list(args: argparse.Namespace) -> int:
    from printers.discovery import discover

    found = discover()
    if not found:
        print("No USB label printers found. Check the cable and power; network printers are")
        print("addressed as tcp://HOST:9100 and queues as spool://NAME.")
        return EXIT_OK
    for printer in found:
        print(printer.describe())
    return EXIT_OK


def cmd_status(args: argparse.Namespace) -> int:
    from printers.printer import open_printer

    with open_printer(args.uri, _model(args.model)) as printer:
        status = printer.status()
    state = status.state.value.replace("_", " ")
    message = f" - {status.message}" if status.message and status.message != state else ""
    print(f"{args.uri} [{printer.model.name}]: {state}{message}")
    if status.labels_remaining is not None:
        print(f"  labels still to print: {status.labels_remaining}")
    if status.media_remaining is not None:
        print(f"  labels left on the roll: {status.media_remaining}")
    for key, value in status.details:
        print(f"  {key}: {value}")
    return EXIT_OK if status.ok else EXIT_NOT_READY


def _print(uri: str, model: PrinterModel | None, jobs_from: str, data: bytes, copies: int) -> int:
    from printers.printer import open_printer

    with open_printer(uri, model) as printer:
        job = printer.encode(data, copies)
        result = printer.send_job(job)
        previews = getattr(printer.transport, "previews", None)
    print(
        f"sent {jobs_from} to {uri} [{result.model}]: {result.bytes_sent} bytes, "
        f"{copies} cop{'y' if copies == 1 else 'ies'}, {result.seconds:.2f} s; "
        f"printer {result.status_after.state.value}"
    )
    if result.problem_after:
        print(
            f"warning: the printer reports {result.status_after.message}; the label prints "
            "once that is fixed (do not resend)"
        )
    for path in previews or ():
        print(f"preview: {path}")
    _finish_emulated()
    return EXIT_OK


def cmd_print(args: argparse.Namespace) -> int:
    _check_copies(args.copies)
    _refuse_existing_target(args.uri, args.overwrite)
    return _print(args.uri, _model(args.model), args.file, _read(args.file), args.copies)


def cmd_test_label(args: argparse.Namespace) -> int:
    from printers.calibration import calibration_label_png
    from printers.printer import open_printer

    _refuse_existing_target(args.uri, args.overwrite)
    model = _model(args.model)
    if model is None:  # open once to learn the model, then print a label made for it
        with open_printer(args.uri) as printer:
            model = printer.model
    return _print(args.uri, model, "a test label", calibration_label_png(model), 1)


def cmd_models(args: argparse.Namespace) -> int:
    for model in MODELS.values():
        print(f"{model.name:16} {model.family.value:9} {model.dpi} dpi  {model.display_name}")
        if args.sources and model.usb_product_ids:
            pids = ", ".join(
                f"{model.usb_vendor_id:04x}:{pid:04x}" for pid in model.usb_product_ids
            )
            print(f"{'':16} USB {pids} from {model.usb_id_source}")
    if args.sources:
        from printers.models import OPEN_VALUES

        print("\nNot confirmed on real hardware (printers/models.py OPEN_VALUES):")
        for key, value in OPEN_VALUES.items():
            print(f"  {key} = {value.value} ({value.value:#06x}): {value.status}")
            print(f"    source: {value.source}")
    return EXIT_OK


def cmd_encode(args: argparse.Namespace) -> int:
    from printers.imaging import load_label
    from printers.pipeline import encode_label

    _refuse_existing(Path(args.output), args.overwrite)
    model = get_model(args.model)
    _check_copies(args.copies)
    job = encode_label(load_label(_read(args.file), model), model, copies=args.copies)
    Path(args.output).write_bytes(job)
    print(f"{args.output}: {len(job)} bytes of {model.family.value} for {model.name}")
    return EXIT_OK


def cmd_decode(args: argparse.Namespace) -> int:
    from printers.pipeline import decode_job
    from printers.protocols.zpl import BangReading

    _refuse_existing(Path(args.output), args.overwrite)
    model = get_model(args.model)
    job = decode_job(_read(args.file), model, zpl_bang=BangReading(args.zpl_bang))
    if not job.pages:
        raise PrinterError(PrinterErrorKind.BAD_LABEL, f"{args.file} prints no label")
    out = Path(args.output)
    for number, page in enumerate(job.pages, start=1):
        path = out if number == 1 else out.with_name(f"{out.stem}-{number}{out.suffix}")
        page.bitmap.to_image().save(path, dpi=(model.dpi, model.dpi))
        print(
            f"{path}: {page.bitmap.width}x{page.bitmap.height} dots, "
            f"{page.copies} cop{'y' if page.copies == 1 else 'ies'}"
        )
    for what in job.unrendered:
        print(f"note: not drawn by the decoder: {what}")
    return EXIT_OK


def _finish_emulated() -> None:
    """With PACKDESK_EMULATED_USB, let the emulated printers finish before the process ends
    (so their previews are written)."""
    from printers.transports import usb as usb_transport

    backend = usb_transport.active_emulated_backend()
    if backend is not None:
        backend.wait_idle(timeout_s=60)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m printers",
        description="Raw printing of 4x6 labels to DYMO LabelWriter and Zebra printers.",
        epilog="Printer URIs: usb://VID:PID[?serial=..], tcp://HOST[:9100], spool://QUEUE, "
        "file:///PATH, virtual://NAME. Set PACKDESK_EMULATED_USB=zd421-203,dymo-4xl,... to "
        "talk to emulated USB printers instead of real ones.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="list connected USB printers").set_defaults(func=cmd_list)
    status = sub.add_parser("status", help="ask a printer for its status")
    status.add_argument("uri")
    status.add_argument("--model", help="model name (see `models`); USB printers say it")
    status.set_defaults(func=cmd_status)
    prt = sub.add_parser("print", help="print a label file (PNG/JPEG/GIF/PDF/ZPL/EPL2)")
    prt.add_argument("uri")
    prt.add_argument("file")
    prt.add_argument("--copies", type=int, default=1)
    prt.add_argument("--model", help="model name (see `models`); USB printers say it")
    prt.add_argument(
        "--overwrite", action="store_true", help="replace an existing output file (file:///)"
    )
    prt.set_defaults(func=cmd_print)
    test = sub.add_parser("test-label", help="print a 4x6 alignment test label")
    test.add_argument("uri")
    test.add_argument("--model")
    test.add_argument(
        "--overwrite", action="store_true", help="replace an existing output file (file:///)"
    )
    test.set_defaults(func=cmd_test_label)
    models = sub.add_parser("models", help="the model names --model accepts")
    models.add_argument(
        "--sources", action="store_true", help="where each USB id comes from, and open values"
    )
    models.set_defaults(func=cmd_models)
    enc = sub.add_parser("encode", help="write exactly the bytes a printer would get")
    enc.add_argument("--model", required=True)
    enc.add_argument("file")
    enc.add_argument("-o", "--output", required=True)
    enc.add_argument("--copies", type=int, default=1)
    enc.add_argument(
        "--overwrite", action="store_true", help="replace an existing output file (file:///)"
    )
    enc.set_defaults(func=cmd_encode)
    dec = sub.add_parser("decode", help="render printer bytes back to a PNG")
    dec.add_argument("--model", required=True)
    dec.add_argument("file")
    dec.add_argument("-o", "--output", required=True)
    dec.add_argument(
        "--zpl-bang",
        choices=["fill-ones", "hex-one"],
        default="fill-ones",
        help="how to read ZPL '!': fill the row with 1s, or the hex digit 1 (as Zebrash does)",
    )
    dec.add_argument(
        "--overwrite", action="store_true", help="replace an existing output file (file:///)"
    )
    dec.set_defaults(func=cmd_decode)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.func(args)
    except PrinterError as exc:
        where = f"{exc.device}: " if exc.device else ""
        print(f"error: {where}{exc.message}", file=sys.stderr)
        if exc.hint:
            print(f"hint: {exc.hint}", file=sys.stderr)
        return EXIT_PRINTER
    return code


if __name__ == "__main__":
    sys.exit(main())
