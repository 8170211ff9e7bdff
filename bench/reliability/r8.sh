#!/usr/bin/env bash
# R8 at T2 scale: a real `lathe train` child process (penguins, 40 epochs × 15 batches, a checkpoint every 4 steps,
# one thread) is SIGKILLed after a random step, 20 times, and each time resumed with --resume; every resumed run
# must end bit-identical to an uninterrupted one (bundle weights; the final checkpoint's weights, optimiser,
# generator, plateau and early-stopping state and progress counters; the history but for timings; steps.jsonl
# line for line). It runs the suite's R8 test with LATHE_R8_TRIALS (default 20); about 7 s a trial on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/../.."
TRIALS="${TRIALS:-20}"
dotnet build tests/Lathe.Tests -c Debug -v quiet -nologo
LATHE_R8_TRIALS="$TRIALS" dotnet test tests/Lathe.Tests --no-build \
  --filter "FullyQualifiedName~ResumeTests.A_train_process_killed_at_random_steps" \
  --logger "console;verbosity=detailed" | grep -E "R8 trial|Passed|Failed|Total time"
