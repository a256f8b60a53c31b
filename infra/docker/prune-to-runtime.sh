#!/bin/sh
# Leaves in a built workspace checkout (default: the current folder) only what the services run:
# the workspaces that the deployable services depend on (their "dependencies", followed
# transitively), each with its package.json, its dist/ less compiled tests and test support, and
# its own node_modules/. Everything else goes: sources, tests, build info, and the workspaces
# only tests or development use (@herald/testing, the launcher), links included.
#
#   prune-to-runtime.sh [ROOT]            (ROOT's node_modules must already be production-only)
set -eu
cd "${1:-.}"

keep=$(node -e '
  const fs = require("node:fs");
  const folders = {};
  for (const group of ["packages", "services"])
    for (const name of fs.readdirSync(group)) {
      const manifest = `${group}/${name}/package.json`;
      if (fs.existsSync(manifest)) folders[JSON.parse(fs.readFileSync(manifest, "utf8")).name] = `${group}/${name}`;
    }
  const keep = new Set();
  const visit = (name) => {
    if (keep.has(name) || !folders[name]) return;
    keep.add(name);
    const { dependencies = {} } = JSON.parse(fs.readFileSync(`${folders[name]}/package.json`, "utf8"));
    Object.keys(dependencies).forEach(visit);
  };
  ["@herald/ingest-api", "@herald/worker", "@herald/tracker"].forEach(visit);
  for (const [name, folder] of Object.entries(folders)) console.log(`${keep.has(name) ? "keep" : "drop"} ${name} ${folder}`);
')

echo "$keep" | while read -r verdict name folder; do
  if [ "$verdict" = drop ]; then
    rm -rf "$folder" "node_modules/$name"
    continue
  fi
  find "$folder" -mindepth 1 -maxdepth 1 ! -name package.json ! -name dist ! -name node_modules -exec rm -rf {} +
  find "$folder/dist" -type f \( -name '*.test.*' -o -name '*.tsbuildinfo' \) -delete
  find "$folder/dist" -depth -type d \( -name test -o -name test-support \) -exec rm -rf {} +
done
