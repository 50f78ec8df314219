@echo off
rem Mo trang van phong cua vneid-recon tren may nay, roi mo trinh duyet.
rem Lan dau: keo tha thu muc lam viec vao tep vneid-recon.exe (hoac tep nay) de chon thu muc.
"%~dp0vneid-recon.exe" %*
if errorlevel 1 pause
