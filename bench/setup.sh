#!/usr/bin/env bash
# The benchmarks' Python peers (Debian packages, run with /usr/bin/python3): scikit-learn for every
# scikit-learn reference, umap-learn (with numba) for 24-analysis-peers. Installs only what is missing.
set -euo pipefail
missing=()
/usr/bin/python3 -c "import sklearn" 2>/dev/null || missing+=(python3-sklearn)
/usr/bin/python3 -c "import umap" 2>/dev/null || missing+=(umap-learn)
if [ ${#missing[@]} -eq 0 ]; then
  echo "bench setup: python3-sklearn and umap-learn already installed"
  exit 0
fi
echo "bench setup: installing ${missing[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
