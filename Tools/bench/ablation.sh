#!/usr/bin/env bash
# Ablation of the covariance model on the shared real data (METHOD.md §1, issue 6):
# full covariance vs diagonal vs identity weights, selector on vs plain grid, and the two
# residuals, on KITTI 06, EuRoC V1_01 and a synthetic canyon loop (rendered first, exact truth).
# Prints one row per variant with ATE (SE(3)-aligned) and RPE from `parallax run`.
#   Tools/bench/ablation.sh [DATASETS]      (default ../shared/datasets)
set -euo pipefail
cd "$(dirname "$0")/../.."
data=${1:-../shared/datasets}
swift build -c release --product parallax >/dev/null
bin=.build/release/parallax
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
$bin synth --world canyon --trajectory loop --frames 200 --format kitti --out "$out/synthetic" --no-depth --quiet >/dev/null

run() {  # name, dataset args, variant args
  local name=$1; shift
  local line
  line=$($bin run "$@" --out "$out/x" --quiet | grep '^ATE' || echo "failed")
  printf '%-44s %s\n' "$name" "$line"
}

for variant in "full|" "diagonal|--weighting diagonal" "identity|--weighting identity" \
               "full, plain grid|--no-selector" "full, reprojection residual|--residual reprojection"; do
  name=${variant%%|*}; args=${variant#*|}
  # shellcheck disable=SC2086
  run "KITTI 06 (0-50)    $name" --dataset kitti "$data/kitti-odometry" --sequence 06 $args
  # shellcheck disable=SC2086
  run "EuRoC V1_01 (0-94) $name" --dataset euroc "$data/euroc/V1_01_easy_first95" $args
  # shellcheck disable=SC2086
  run "synthetic canyon loop $name" --dataset kitti "$out/synthetic" --sequence 00 $args
done
