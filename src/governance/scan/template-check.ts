import { addFinding, type ScanContext } from "./types.ts";

/** Constructs in a Jinja chat template that reach Python internals (the SSTI escapes of CVE-2024-34359). */
const PATTERNS: Array<[RegExp, string]> = [
  [/__class__/, "__class__"],
  [/__globals__/, "__globals__"],
  [/__subclasses__/, "__subclasses__"],
  [/__builtins__/, "__builtins__"],
  [/__import__/, "__import__"],
  [/__mro__/, "__mro__"],
  [/__bases?__/, "__base__"],
  [/__init__/, "__init__"],
  [/__dict__/, "__dict__"],
  [/__getattribute__/, "__getattribute__"],
  [/__code__/, "__code__"],
  [/__reduce(_ex)?__/, "__reduce__"],
  [/\bfunc_globals\b/, "func_globals"],
  [/_TemplateReference__context/, "_TemplateReference__context"],
  [/\b(lipsum|cycler|joiner)\s*\.\s*__/, "Jinja global's internals"],
  [/\[\s*['"]_[_\w]*['"]\s*\]/, "subscript of an underscore name"],
  [/\|\s*attr\s*\(\s*['"]_/, "attr filter on an underscore name"],
  [/\bpopen\b|\bsubprocess\b|\bos\.system\b/, "process call"],
];

/** The Python-internals constructs a template uses (empty when none). */
export function templateInternals(template: string): string[] {
  return PATTERNS.filter(([pattern]) => pattern.test(template)).map(([, name]) => name);
}

/** Flags a chat template (named `name` in findings) that reaches Python internals as unsafe. */
export function checkTemplate(ctx: ScanContext, name: string, template: string): void {
  const found = templateInternals(template);
  if (found.length === 0) return;
  addFinding(ctx, {
    rule: "template.python-internals",
    severity: "unsafe",
    message: `${name} uses ${found.join(", ")}: a Jinja template that reaches Python internals can run code when rendered`,
    construct: found[0]!,
  });
}
