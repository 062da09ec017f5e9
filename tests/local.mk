# tests/: scripts and helpers not owned by one area (unit tests live in each area's local.mk).
EXTRA_DIST += tests/lib.sh tests/deps.sh tests/run.sh tests/stack.sh
