#!/bin/sh
# Runs COMMAND... as root on a throwaway host: new mount, network and pid namespaces, an
# overlay over /etc (writes land in a scratch directory, removed afterwards), tmpfs over
# /home, /run, /var/log and /var/spool, loopback up. Everything started inside ends when
# COMMAND does. The tests (src/sandbox.rs) and bench/provision use it; nothing in it writes to
# the machine's own /etc, /home, /run, /var/log or /var/spool.
# Usage: sh crates/whmd-host/sandbox.sh COMMAND...
set -e
if [ -z "$WHMD_SANDBOX_SCRATCH" ]; then
  scratch=$(mktemp -d /tmp/whmd-sandbox.XXXXXX)
  status=0
  WHMD_SANDBOX_SCRATCH=$scratch unshare --mount --net --pid --fork --mount-proc \
    --propagation private sh "$0" "$@" || status=$?
  rm -rf "$scratch"
  exit "$status"
fi
d=$WHMD_SANDBOX_SCRATCH
mkdir -p "$d/upper" "$d/work"
mount -t overlay overlay -o "lowerdir=/etc,upperdir=$d/upper,workdir=$d/work" /etc
for dir in /home /run /var/log /var/spool; do
  mount -t tmpfs -o mode=0755 tmpfs "$dir"
done
mkdir -p /run/lock /run/php /run/apache2 /var/log/apache2
touch /etc/.whmd-test-sandbox
ip link set lo up
exec "$@"
