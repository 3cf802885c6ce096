#!/usr/bin/env bash
# GenSharp's test command (README and .ci/run call exactly this). Installs what the tests need on a
# fresh Debian 12 machine (the Fashion-MNIST package, so that real-data tests run rather than skip, a
# font for the text in plots, and python3-torch for the PyTorch round trip), then builds and runs the whole test suite.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
./build/setup-debian.sh
dotnet test GenSharp.slnx -c Release --nologo "$@"
