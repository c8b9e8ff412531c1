#!/usr/bin/env bash
# Installs the pinned external tools the tests use into .tools/ (ignored by git), and reuses
# them when their versions already match. Sourced by scripts/test; safe to run on its own.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/.tools"

# Pinned versions: change them here only.
MOTO_VERSION="5.2.5"
CFN_LINT_VERSION="1.58.0"
AWS_CDK_VERSION="2.1148.1"
MERMAID_VERSION="11.17.2"
JSDOM_VERSION="26.1.0"
AWS_VALIDATE_VERSION="1.9.0-beta"

install_python_tools() {
  local stamp="$TOOLS/venv/.stamp-moto-$MOTO_VERSION-cfnlint-$CFN_LINT_VERSION"
  [ -f "$stamp" ] && return 0
  echo "tools: installing moto[server]==$MOTO_VERSION and cfn-lint==$CFN_LINT_VERSION into .tools/venv"
  rm -rf "$TOOLS/venv"
  python3 -m venv "$TOOLS/venv"
  "$TOOLS/venv/bin/pip" install --quiet --disable-pip-version-check \
    "moto[server]==$MOTO_VERSION" "cfn-lint==$CFN_LINT_VERSION"
  touch "$stamp"
}

install_node_tools() {
  local stamp="$TOOLS/node/.stamp-cdk-$AWS_CDK_VERSION-mermaid-$MERMAID_VERSION-jsdom-$JSDOM_VERSION"
  [ -f "$stamp" ] && return 0
  echo "tools: installing aws-cdk@$AWS_CDK_VERSION, mermaid@$MERMAID_VERSION and" \
    "jsdom@$JSDOM_VERSION into .tools/node"
  rm -rf "$TOOLS/node"
  mkdir -p "$TOOLS/node"
  (cd "$TOOLS/node" && npm init -y >/dev/null &&
    npm install --silent --no-audit --no-fund "aws-cdk@$AWS_CDK_VERSION" \
      "mermaid@$MERMAID_VERSION" "jsdom@$JSDOM_VERSION" >/dev/null)
  touch "$stamp"
}

# Graphviz (`dot`) renders the output of `graph --format dot` in the tests.
install_system_tools() {
  command -v dot >/dev/null && return 0
  echo "tools: installing graphviz"
  apt-get update -qq
  apt-get install -y -qq graphviz >/dev/null
}

# AWS's own template validator (Rust compiled to WebAssembly), the second reference the
# validation tests compare stackcraft with; installed beside the CDK CLI.
install_aws_validator() {
  local stamp="$TOOLS/node/.stamp-cloudformation-validate-$AWS_VALIDATE_VERSION"
  [ -f "$stamp" ] && return 0
  echo "tools: installing @aws/cloudformation-validate@$AWS_VALIDATE_VERSION into .tools/node"
  mkdir -p "$TOOLS/node"
  (cd "$TOOLS/node" && { [ -f package.json ] || npm init -y >/dev/null; } &&
    npm install --silent --no-audit --no-fund \
      "@aws/cloudformation-validate@$AWS_VALIDATE_VERSION" >/dev/null)
  touch "$stamp"
}

install_tools() {
  mkdir -p "$TOOLS"
  install_python_tools
  install_node_tools
  install_system_tools
  install_aws_validator
  export STACKCRAFT_TOOLS="$TOOLS"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  install_tools
fi
