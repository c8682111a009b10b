// Validates every object `kubectl kustomize` renders for the given overlays,
// offline, in two independent ways:
//   1. the kubernetes-models classes (JSON schemas of the Kubernetes OpenAPI
//      spec, compiled with ajv): types, required fields, enums, formats;
//      ServiceMonitor against the Prometheus Operator CRD's schema;
//   2. the TypeScript compiler on the same objects typed with the packages'
//      interfaces: its excess-property check finds unknown fields (a typo such
//      as `readinesProbe` or `grcp:`), which the OpenAPI schemas allow but the
//      API server's strict field validation refuses.
//
//   node validate.js --modules DIR --kubectl KUBECTL OVERLAY_DIR...
//
// DIR holds node_modules (installed by k8s_schema_test.sh from the committed
// package-lock.json). Exit 0 when every object passes, 1 otherwise; every
// problem is printed with its overlay, kind and name.
"use strict";

const childProcess = require("child_process");
const fs = require("fs");
const path = require("path");
const { createRequire } = require("module");

function parseArgs(argv) {
  const args = { overlays: [] };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--modules") args.modules = argv[++i];
    else if (argv[i] === "--kubectl") args.kubectl = argv[++i];
    else args.overlays.push(argv[i]);
  }
  if (!args.modules || !args.kubectl || args.overlays.length === 0) {
    console.error("usage: validate.js --modules DIR --kubectl KUBECTL OVERLAY_DIR...");
    process.exit(2);
  }
  return args;
}

const args = parseArgs(process.argv.slice(2));
const requireFromModules = createRequire(path.join(path.resolve(args.modules), "index.js"));
const YAML = requireFromModules("yaml");

// apiVersion -> the module folder holding its kinds.
function modelModule(apiVersion, kind) {
  if (apiVersion === "monitoring.coreos.com/v1") {
    return `@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/${kind}`;
  }
  if (!/^([a-z0-9.-]+\/)?v[0-9]+((alpha|beta)[0-9]+)?$/.test(apiVersion)) return null;
  return `kubernetes-models/${apiVersion}/${kind}`;
}

function render(overlay) {
  return childProcess.execFileSync(args.kubectl, ["kustomize", overlay], {
    encoding: "utf8",
    maxBuffer: 64 << 20,
  });
}

const problems = [];
const typed = []; // {label, module, kind, json}
let objects = 0;

for (const overlay of args.overlays) {
  const overlayName = path.basename(path.resolve(overlay));
  let text;
  try {
    text = render(overlay);
  } catch (e) {
    problems.push(`${overlayName}: kubectl kustomize failed:\n${e.stderr || e.message}`);
    continue;
  }
  const docs = YAML.parseAllDocuments(text);
  for (const doc of docs) {
    if (doc.errors.length > 0) {
      problems.push(`${overlayName}: YAML error: ${doc.errors[0].message}`);
      continue;
    }
    const obj = doc.toJS();
    if (obj === null || obj === undefined) continue;
    objects++;
    const label = `${overlayName}: ${obj.kind}/${(obj.metadata || {}).name}`;
    const mod = modelModule(String(obj.apiVersion), String(obj.kind));
    if (mod === null) {
      problems.push(`${label}: no schema known for apiVersion ${obj.apiVersion}`);
      continue;
    }
    let Model;
    try {
      Model = requireFromModules(mod)[obj.kind];
    } catch (e) {
      Model = undefined;
    }
    if (typeof Model !== "function") {
      problems.push(`${label}: no schema known for ${obj.apiVersion} ${obj.kind}`);
      continue;
    }
    try {
      new Model(obj).validate();
    } catch (e) {
      const errors = Array.isArray(e.errors) ? e.errors : [];
      if (errors.length === 0) problems.push(`${label}: ${e.message}`);
      for (const err of errors) {
        problems.push(`${label}: ${err.instancePath || "/"} ${err.message}` +
                      (err.params && err.params.allowedValues
                         ? ` (${err.params.allowedValues.join(", ")})` : ""));
      }
    }
    typed.push({ label, module: mod, kind: obj.kind, json: obj });
  }
}

// The TypeScript pass: one typed constant per object; each starts on a known
// line, so a finding's line number names its object. Type errors come from
// the compiler's diagnostics; unknown fields from a walk over every object
// literal (the compiler's own excess-property check stops at the first error
// of an object, the walk does not).
const ts = requireFromModules("typescript");
const checkDir = path.join(path.resolve(args.modules), "check");
fs.mkdirSync(checkDir, { recursive: true });
const lines = [];
const starts = []; // [first line (1-based), label]
typed.forEach((t, i) => {
  lines.push(`import type { I${t.kind} as T${i} } from "${t.module}";`);
});
typed.forEach((t, i) => {
  starts.push([lines.length + 1, t.label]);
  const body = JSON.stringify(t.json, null, 2).split("\n");
  lines.push(`export const object${i}: T${i} = ${body[0]}`, ...body.slice(1));
  lines[lines.length - 1] += ";";
});
const tsFile = path.join(checkDir, "manifests.ts");
fs.writeFileSync(tsFile, lines.join("\n") + "\n");

function labelOf(line) {
  let label = "manifests.ts";
  for (const [first, l] of starts) if (first <= line) label = l;
  return label;
}
function report(sourceFile, pos, message) {
  const line = sourceFile.getLineAndCharacterOfPosition(pos).line + 1;
  problems.push(`${labelOf(line)}: ${message}\n    at: ${(lines[line - 1] || "").trim()}`);
}

const program = ts.createProgram([tsFile], {
  strict: true, noEmit: true, module: ts.ModuleKind.CommonJS,
  moduleResolution: ts.ModuleResolutionKind.Node10 || ts.ModuleResolutionKind.NodeJs,
  skipLibCheck: true, types: [], typeRoots: [],
});
const checker = program.getTypeChecker();
const sourceFile = program.getSourceFile(tsFile);
for (const d of ts.getPreEmitDiagnostics(program)) {
  if (d.code === 2353 || d.code === 2561) continue; // excess property: the walk reports it
  const text = ts.flattenDiagnosticMessageText(d.messageText, " ");
  if (d.file === sourceFile && d.start !== undefined) report(sourceFile, d.start, `TS${d.code}: ${text}`);
  else problems.push(`TypeScript: TS${d.code}: ${text}`);
}

function allowsProperty(type, name) {
  if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return true;
  if (type.isUnion()) return type.types.some((t) => allowsProperty(t, name));
  if (type.isIntersection()) return type.types.some((t) => allowsProperty(t, name));
  if (checker.getPropertyOfType(type, name)) return true;
  return checker.getIndexInfosOfType(type).length > 0; // a map (labels, data, ...)
}
let literals = 0;
function walk(node) {
  if (ts.isObjectLiteralExpression(node)) {
    literals++;
    const contextual = checker.getContextualType(node);
    // No contextual type: the value of a field already reported unknown.
    if (contextual !== undefined) {
      const type = checker.getNonNullableType(contextual);
      for (const prop of node.properties) {
        if (!ts.isPropertyAssignment(prop)) continue;
        const name = prop.name.text;
        if (!allowsProperty(type, name)) {
          report(sourceFile, prop.getStart(),
                 `unknown field "${name}" (not in ${checker.typeToString(type).slice(0, 100)})`);
        }
      }
    }
  }
  ts.forEachChild(node, walk);
}
walk(sourceFile);
if (literals === 0 && typed.length > 0) problems.push("the strict field check walked no object");

if (problems.length > 0) {
  console.log(`FAIL: ${problems.length} problem(s) in ${objects} object(s):`);
  for (const p of problems) console.log(`  ${p}`);
  process.exit(1);
}
console.log(`ok: ${objects} objects from ${args.overlays.length} overlay(s) valid ` +
            `(kubernetes-models schemas + strict field check)`);
