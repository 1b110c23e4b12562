#!/usr/bin/env bash
# Installe les paquets Debian nécessaires s'ils manquent : Pango (livret PDF), polices DejaVu ;
# avec --tests : Chromium (tests dans un vrai navigateur), poppler-utils, mupdf-tools et qpdf
# (le livret PDF rempli et affiché par les moteurs de Poppler et de MuPDF, sa structure vérifiée).
set -euo pipefail
manquants=()
ldconfig -p 2>/dev/null | grep -q 'libpango-1.0.so' || manquants+=(libpango-1.0-0)
ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1.0.so' || manquants+=(libpangoft2-1.0-0)
fc-list 2>/dev/null | grep -qi 'DejaVuSans' || manquants+=(fonts-dejavu-core)
if [ "${1:-}" = "--tests" ]; then
  command -v chromium >/dev/null || manquants+=(chromium)
  command -v pdftotext >/dev/null || manquants+=(poppler-utils)
  command -v mutool >/dev/null || manquants+=(mupdf-tools)
  command -v qpdf >/dev/null || manquants+=(qpdf)
  command -v java >/dev/null || manquants+=(default-jre-headless)
  command -v npm >/dev/null || manquants+=(npm)
  command -v git >/dev/null || manquants+=(git)
fi
if [ ${#manquants[@]} -eq 0 ]; then
  exit 0
fi
echo "Installation des paquets système manquants : ${manquants[*]}"
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${manquants[@]}" >/dev/null
