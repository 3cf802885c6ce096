#!/usr/bin/env bash
# Idempotent machine set-up for GenSharp on Debian 12: the .NET SDK must be present (it is on the
# project's machines); Debian packages that data, plots and tests need are installed when missing.
set -euo pipefail
if ! command -v dotnet >/dev/null 2>&1; then
  echo "error: the .NET 10 SDK is not installed; see https://learn.microsoft.com/dotnet/core/install/linux-debian" >&2
  exit 2
fi
need=()
dpkg -s dataset-fashion-mnist >/dev/null 2>&1 || need+=(dataset-fashion-mnist)
# Plots draw their text with a system font; minimal Debian images have none (see src/GenSharp/Output/PlotFonts.cs).
dpkg -s fonts-dejavu-core >/dev/null 2>&1 || need+=(fonts-dejavu-core)
# The PyTorch interop tests run Debian's PyTorch as a subprocess (docs/interop.md#pytorch); without its recommends
# (libtorch-dev, build-essential), which the tests do not need.
dpkg -s python3-torch >/dev/null 2>&1 || need+=(python3-torch)
# Reports are checked in a real browser (tests/GenSharp.Tests/Output/ReportInBrowserTests.cs): Debian's headless Chromium.
dpkg -s chromium >/dev/null 2>&1 || need+=(chromium)
if [ ${#need[@]} -gt 0 ]; then
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  echo "installing Debian packages: ${need[*]}" >&2
  $sudo_cmd apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
fi
