; 明镜 Mingjing: the Windows installer (NSIS 3).
;
; Built by `python packaging\build.py windows` on Windows, which passes:
;   /DVERSION=0.1.0 /DSOURCE=dist\mingjing /DOUTFILE=dist\mingjing-0.1.0-setup.exe /DICON=build\icons\mingjing.ico
;
; Per user, without administrator rights: the program goes to
; %LOCALAPPDATA%\Programs\Mingjing, the Start-menu entry and the file types
; to the current user (HKCU). The uninstaller removes the program files and
; those entries only; the user's data (%LOCALAPPDATA%\mingjing: database,
; backups, logs, evidence files) is never touched.

Unicode true
ManifestDPIAware true
SetCompressor /SOLID lzma
RequestExecutionLevel user

!ifndef VERSION
  !define VERSION "0.0.0"
!endif
!ifndef SOURCE
  !error "SOURCE (the frozen folder, dist\mingjing) must be given: /DSOURCE=…"
!endif
!ifndef OUTFILE
  !define OUTFILE "mingjing-${VERSION}-setup.exe"
!endif

!define APPNAME "明镜"
!define APPKEY "Mingjing"
!define UNINSTKEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\${APPKEY}"
!define CLASSES "Software\Classes"

Name "${APPNAME} ${VERSION}"
OutFile "${OUTFILE}"
InstallDir "$LOCALAPPDATA\Programs\${APPKEY}"
InstallDirRegKey HKCU "${UNINSTKEY}" "InstallLocation"
BrandingText "明镜 ${VERSION}"

!include "MUI2.nsh"
!include "FileFunc.nsh"

!ifdef ICON
  !define MUI_ICON "${ICON}"
  !define MUI_UNICON "${ICON}"
!endif
!define MUI_ABORTWARNING
!define MUI_FINISHPAGE_RUN "$INSTDIR\mingjing.exe"
!define MUI_FINISHPAGE_RUN_TEXT "现在打开明镜"

!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "SimpChinese"

VIProductVersion "${VERSION}.0"
VIAddVersionKey /LANG=${LANG_SIMPCHINESE} "ProductName" "明镜"
VIAddVersionKey /LANG=${LANG_SIMPCHINESE} "FileDescription" "明镜安装程序"
VIAddVersionKey /LANG=${LANG_SIMPCHINESE} "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=${LANG_SIMPCHINESE} "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=${LANG_SIMPCHINESE} "LegalCopyright" "GPL-3.0-or-later"

; One file type: its ending, its ProgID and its name in Explorer.
!macro Associate EXT PROGID LABEL
  WriteRegStr HKCU "${CLASSES}\${EXT}" "" "${PROGID}"
  WriteRegStr HKCU "${CLASSES}\${PROGID}" "" "${LABEL}"
  WriteRegStr HKCU "${CLASSES}\${PROGID}\DefaultIcon" "" "$INSTDIR\mingjing.exe,0"
  WriteRegStr HKCU "${CLASSES}\${PROGID}\shell\open\command" "" '"$INSTDIR\mingjing.exe" "%1"'
!macroend

; Removed only while it still points to Mingjing (another program may have taken it).
!macro Unassociate EXT PROGID
  ReadRegStr $0 HKCU "${CLASSES}\${EXT}" ""
  StrCmp $0 "${PROGID}" 0 +2
    DeleteRegKey HKCU "${CLASSES}\${EXT}"
  DeleteRegKey HKCU "${CLASSES}\${PROGID}"
!macroend

Section "明镜" SecMain
  SectionIn RO
  SetOutPath "$INSTDIR"
  ; A previous version's library folder goes first: no stale modules mixed in.
  RMDir /r "$INSTDIR\_internal"
  File /r "${SOURCE}\*"
  WriteUninstaller "$INSTDIR\uninstall.exe"

  CreateShortcut "$SMPROGRAMS\明镜.lnk" "$INSTDIR\mingjing.exe" "" "$INSTDIR\mingjing.exe" 0 \
    SW_SHOWNORMAL "" "单位自查自纠与整改落实工作程序"

  !insertmacro Associate ".mjcampaign" "Mingjing.Campaign" "明镜专项行动文件"
  !insertmacro Associate ".mjsubmission" "Mingjing.Submission" "明镜自查提交文件"
  !insertmacro Associate ".mjreply" "Mingjing.Reply" "明镜审核回复文件"
  !insertmacro Associate ".mjreview" "Mingjing.Review" "明镜领导审阅文件"
  !insertmacro Associate ".mjreviewreply" "Mingjing.ReviewReply" "明镜领导审阅意见文件"
  ; Tell Explorer the file types changed (SHCNE_ASSOCCHANGED).
  System::Call 'shell32::SHChangeNotify(i 0x08000000, i 0, p 0, p 0)'

  WriteRegStr HKCU "${UNINSTKEY}" "DisplayName" "明镜 Mingjing"
  WriteRegStr HKCU "${UNINSTKEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINSTKEY}" "Publisher" "Mingjing developers"
  WriteRegStr HKCU "${UNINSTKEY}" "DisplayIcon" "$INSTDIR\mingjing.exe,0"
  WriteRegStr HKCU "${UNINSTKEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTKEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKCU "${UNINSTKEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKCU "${UNINSTKEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINSTKEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  WriteRegDWORD HKCU "${UNINSTKEY}" "EstimatedSize" $0
SectionEnd

Section "Uninstall"
  ; Only what the installer put here, by name: never RMDir /r "$INSTDIR" (the user
  ; may have chosen a folder that holds other things), never the data folder.
  RMDir /r "$INSTDIR\_internal"
  Delete "$INSTDIR\mingjing.exe"
  Delete "$INSTDIR\mingjing-cli.exe"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"

  Delete "$SMPROGRAMS\明镜.lnk"
  !insertmacro Unassociate ".mjcampaign" "Mingjing.Campaign"
  !insertmacro Unassociate ".mjsubmission" "Mingjing.Submission"
  !insertmacro Unassociate ".mjreply" "Mingjing.Reply"
  !insertmacro Unassociate ".mjreview" "Mingjing.Review"
  !insertmacro Unassociate ".mjreviewreply" "Mingjing.ReviewReply"
  System::Call 'shell32::SHChangeNotify(i 0x08000000, i 0, p 0, p 0)'
  DeleteRegKey HKCU "${UNINSTKEY}"
SectionEnd
