; Inno Setup 6 script: installs the PyInstaller bundle (dist\photosearch) with a Start-menu shortcut and
; an uninstaller. Built by `python installer\build.py --inno` on Windows, which passes the version and the
; bundle folder; by hand: ISCC /DAppVersion=0.1.0 installer\windows\photosearch.iss

#ifndef AppVersion
  #error Pass the version: ISCC /DAppVersion=X.Y.Z (build.py does)
#endif
#ifndef BundleDir
  #define BundleDir "..\..\dist\photosearch"
#endif

[Setup]
; The AppId identifies the installation for upgrades and the uninstaller: never change it.
AppId={{6D3F1C8A-4B2E-4F7A-9C51-2E8B7D0A4F93}
AppName=PhotoSearch
AppVersion={#AppVersion}
AppVerName=PhotoSearch {#AppVersion}
AppPublisher=PhotoSearch developers
DefaultDirName={autopf}\PhotoSearch
DefaultGroupName=PhotoSearch
DisableProgramGroupPage=yes
; Per-user installs need no administrator; the dialog lets a person choose all users instead.
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
SetupIconFile=..\..\resources\icons\photosearch.ico
UninstallDisplayIcon={app}\photosearchw.exe
UninstallDisplayName=PhotoSearch
OutputBaseFilename=PhotoSearch-{#AppVersion}-setup
OutputDir=..\..\dist
; The bundle is mostly already-compressed libraries; lzma2 at normal level packs it in reasonable time.
Compression=lzma2/normal
SolidCompression=yes
WizardStyle=modern
CloseApplications=yes

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"
Name: "german"; MessagesFile: "compiler:Languages\German.isl"
Name: "french"; MessagesFile: "compiler:Languages\French.isl"
Name: "japanese"; MessagesFile: "compiler:Languages\Japanese.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\PhotoSearch"; Filename: "{app}\photosearchw.exe"; IconFilename: "{app}\photosearchw.exe"
Name: "{autodesktop}\PhotoSearch"; Filename: "{app}\photosearchw.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\photosearchw.exe"; Description: "{cm:LaunchProgram,PhotoSearch}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; Python's compiled caches can appear beside the bundle's files; the user's library (catalog, index,
; thumbnails in %LOCALAPPDATA%\PhotoSearch) is theirs and stays.
Type: filesandordirs; Name: "{app}\_internal\__pycache__"
