"""Opens a workbook in LibreOffice (headless, through UNO) with a password and writes its first
sheet as UTF-8 CSV: the independent check that a locked workbook opens in a real client (issue 27).

usage: /usr/bin/python3 lo_unlock.py IN.xlsx OUT.csv [PASSWORD]
exit 0: written; 3: LibreOffice would not open it (wrong or missing password); 2: other failure.
The password arrives as an argument of this test helper only; the tool itself never takes one so.
"""
import os
import subprocess
import sys
import tempfile
import time

import uno
from com.sun.star.beans import PropertyValue


def prop(name, value):
    p = PropertyValue()
    p.Name = name
    p.Value = value
    return p


def main():
    source, target = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    password = sys.argv[3] if len(sys.argv) > 3 else None
    profile = tempfile.mkdtemp(prefix="lo-profile-")
    pipe = "vneid_%d" % os.getpid()
    office = subprocess.Popen(
        [
            "soffice", "--headless", "--invisible", "--norestore", "--nologo",
            "-env:UserInstallation=file://" + profile,
            "--accept=pipe,name=%s;urp;StarOffice.ComponentContext" % pipe,
        ],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext(
            "com.sun.star.bridge.UnoUrlResolver", local)
        context = None
        for _ in range(240):
            try:
                context = resolver.resolve(
                    "uno:pipe,name=%s;urp;StarOffice.ComponentContext" % pipe)
                break
            except Exception:
                time.sleep(0.25)
        if context is None:
            return 2
        desktop = context.ServiceManager.createInstanceWithContext(
            "com.sun.star.frame.Desktop", context)
        options = [prop("Hidden", True)]
        if password is not None:
            options.append(prop("Password", password))
        try:
            document = desktop.loadComponentFromURL(
                uno.systemPathToFileUrl(source), "_blank", 0, tuple(options))
        except Exception:
            document = None
        if document is None:
            return 3
        document.storeToURL(uno.systemPathToFileUrl(target), (
            prop("FilterName", "Text - txt - csv (StarCalc)"),
            prop("FilterOptions", "44,34,76,1"),
        ))
        document.close(True)
        try:
            desktop.terminate()
        except Exception:
            pass
        return 0
    finally:
        try:
            office.wait(timeout=20)
        except subprocess.TimeoutExpired:
            office.kill()


if __name__ == "__main__":
    sys.exit(main())
