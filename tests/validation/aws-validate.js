// Runs AWS's validator (@aws/cloudformation-validate, WebAssembly) on template files and prints
// one JSON line per finding: {file, rule, severity, logicalId, path}. The module is looked up in
// $STACKCRAFT_TOOLS/node (installed by scripts/tools.sh).
'use strict';
const path = require('path');
const tools = process.env.STACKCRAFT_TOOLS || path.join(__dirname, '..', '..', '.tools');
const v = require(path.join(tools, 'node', 'node_modules', '@aws', 'cloudformation-validate'));

const engine = new v.RegoEngine();
try {
  for (const file of process.argv.slice(2)) {
    const report = engine.validateStandard(new v.TemplateFile(file));
    for (const d of report.diagnostics) {
      const entity = d.entity || {};
      console.log(JSON.stringify({
        file,
        rule: d.ruleId,
        severity: d.severity,
        logicalId: entity.logicalId || null,
        entityType: entity.entityType || null,
        path: d.propertyPath || null,
        message: d.message,
      }));
    }
  }
} finally {
  engine.free();
}
