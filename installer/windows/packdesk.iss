; Inno Setup 6 script for Packdesk on Windows 10/11 (x64). Build on a Windows PC, from the repo
; root, after the PyInstaller one-folder build (installer/README.md, "Windows"):
;
;   py -3.11 -m venv .venv
;   .venv\Scripts\pip install -e .[build]
;   .venv\Scripts\pyinstaller installer\packdesk.spec
;   dist\packdesk-0.1.0\packdesk.exe --self-test        (prints into the console it started from)
;   "C:\Program Files (x86)\Inno Setup 6\ISCC.exe" /DAppVersion=0.1.0 installer\windows\packdesk.iss
;
; The result is dist\packdesk-0.1.0-setup.exe. AppVersion must be pyproject.toml's version (the
; spec names the folder after it). Sign both packdesk.exe and the setup (see README) before
; handing them out, or SmartScreen warns every desk.
;
; No driver is installed or replaced: USB label printers print through the Windows spooler in
; RAW mode (spool://<printer name>), so the vendor's own software keeps working.

#ifndef AppVersion
  #error Pass the version: ISCC /DAppVersion=X.Y.Z installer\windows\packdesk.iss
#endif
#define AppName "Packdesk"
#define BundleDir "..\..\dist\packdesk-" + AppVersion

[Setup]
; A fixed AppId: every version upgrades the same installation (never change it).
AppId={{6F1C2B7E-4D1A-4C39-9B7A-2E5D8C0A9F41}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=Packdesk
VersionInfoVersion={#AppVersion}
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
; Per-machine by default (every packer at the PC); the dialog offers "only for me" without admin.
PrivilegesRequired=admin
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir=..\..\dist
OutputBaseFilename=packdesk-{#AppVersion}-setup
SetupIconFile=packdesk.ico
UninstallDisplayIcon={app}\packdesk.exe
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
; Packdesk must not run while its files are replaced: close it (it finishes the label it is
; printing and keeps queued jobs for the next start).
CloseApplications=yes
RestartApplications=no

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[InstallDelete]
; An upgrade replaces the whole bundle: files a new version no longer ships must not linger
; (a stale DLL next to a new one breaks Qt). User data is elsewhere (%LOCALAPPDATA%\Packdesk).
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs
Source: "packdesk-cli.cmd"; DestDir: "{app}"; Flags: ignoreversion
Source: "..\README.md"; DestDir: "{app}"; DestName: "README.md"; Flags: ignoreversion

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\packdesk.exe"
Name: "{autoprograms}\{#AppName} demo"; Filename: "{app}\packdesk.exe"; Parameters: "--demo"; Comment: "Offline sandbox, sample orders and a virtual printer"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\packdesk.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\packdesk.exe"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
Type: filesandordirs; Name: "{app}\_internal"

[Code]
// Uninstalling never deletes data: say where it stays.
procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
begin
  if (CurUninstallStep = usPostUninstall) and not UninstallSilent then
    MsgBox('Packdesk is removed. Your data stays in ' + ExpandConstant('{localappdata}') +
      '\Packdesk (profiles, databases, labels, logs) and your EasyPost keys stay in ' +
      'Windows Credential Manager ("packdesk-easypost"). Delete them yourself if you mean to.',
      mbInformation, MB_OK);
end;
