@echo off
rem Packdesk headless: packdesk-cli ARGS runs "packdesk.exe --cli ARGS" in this console.
rem A batch file waits for packdesk.exe, so the exit code reaches %ERRORLEVEL%.
"%~dp0packdesk.exe" --cli %*
exit /b %ERRORLEVEL%
