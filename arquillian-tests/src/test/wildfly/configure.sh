#!/usr/bin/env bash
# Gives each unpacked WildFly (arguments: their homes) what an operator gives theirs, server-config/wildfly/undertow.cli,
# and the tests' bare listener, once: a configuration that already has the bare listener is left as it is (a new
# unpack brings a new configuration).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
config="$(cd "$here/../../../../server-config/wildfly" && pwd)"
for home in "$@"; do
  if grep -q 'http-listener name="bare"' "$home/standalone/configuration/standalone-microprofile.xml"; then
    continue
  fi
  "$home/bin/jboss-cli.sh" --file="$config/undertow.cli"
  "$home/bin/jboss-cli.sh" --file="$here/bare-listener.cli"
done
