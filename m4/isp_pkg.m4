dnl isp_pkg.m4 - ISP_PKG(VAR, MODULES, DEBIAN-PACKAGE): pkg-config check that
dnl names the Debian package to install when the library is missing.
AC_DEFUN([ISP_PKG], [
  PKG_CHECK_MODULES([$1], [$2], [],
    [AC_MSG_ERROR([$2 was not found by pkg-config. On Debian: apt-get install $3])])
])
