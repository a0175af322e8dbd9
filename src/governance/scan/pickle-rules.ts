import type { Severity } from "./types.ts";

/**
 * Imports a pickle may make, as exact (module, name) pairs: data-only constructors (tensor and storage
 * rebuilds, ordered dicts, numpy arrays and dtypes, harmless builtins). Never whole modules: an allow-listed
 * module re-exports dangerous names (`numpy.__builtins__`).
 */
const STORAGES = [
  "Long",
  "Float",
  "Half",
  "Double",
  "BFloat16",
  "Bool",
  "Char",
  "Short",
  "Int",
  "Byte",
  "ComplexFloat",
  "ComplexDouble",
  "QInt8",
  "QInt32",
  "QUInt8",
  "QUInt4x2",
  "QUInt2x4",
  "Untyped",
].map((kind) => `torch.${kind}Storage`);
const TORCH_DTYPES = [
  "float32",
  "float",
  "float64",
  "double",
  "float16",
  "half",
  "bfloat16",
  "int8",
  "uint8",
  "int16",
  "short",
  "int32",
  "int",
  "int64",
  "long",
  "bool",
  "complex64",
  "complex128",
  "cfloat",
  "cdouble",
  "float8_e4m3fn",
  "float8_e5m2",
  "float8_e4m3fnuz",
  "float8_e5m2fnuz",
  "uint16",
  "uint32",
  "uint64",
  "qint8",
  "quint8",
  "qint32",
  "strided",
  "sparse_coo",
  "per_tensor_affine",
  "per_channel_affine",
].map((dtype) => `torch.${dtype}`);
const NUMPY_DTYPE_CLASSES = [
  "Bool",
  "Int8",
  "Int16",
  "Int32",
  "Int64",
  "UInt8",
  "UInt16",
  "UInt32",
  "UInt64",
  "Float16",
  "Float32",
  "Float64",
  "Complex64",
  "Complex128",
].map((kind) => `numpy.dtypes.${kind}DType`);

export const ALLOWED_IMPORTS: ReadonlySet<string> = new Set([
  "collections.OrderedDict",
  "collections.Counter",
  "torch._utils._rebuild_tensor",
  "torch._utils._rebuild_tensor_v2",
  "torch._utils._rebuild_tensor_v3",
  "torch._utils._rebuild_parameter",
  "torch._utils._rebuild_parameter_with_state",
  "torch._utils._rebuild_qtensor",
  "torch._utils._rebuild_sparse_tensor",
  "torch._utils._rebuild_device_tensor_from_numpy",
  "torch._utils._rebuild_meta_tensor_no_storage",
  "torch._tensor._rebuild_from_type_v2",
  "torch.serialization._get_layout",
  "torch.nn.parameter.Parameter",
  "torch.Size",
  "torch.Tensor",
  "torch.device",
  ...STORAGES,
  ...TORCH_DTYPES,
  "numpy.core.multiarray._reconstruct",
  "numpy._core.multiarray._reconstruct",
  "numpy.core.multiarray.scalar",
  "numpy._core.multiarray.scalar",
  "numpy.ndarray",
  "numpy.dtype",
  ...NUMPY_DTYPE_CLASSES,
  "builtins.set",
  "builtins.frozenset",
  "builtins.slice",
  "builtins.bytearray",
  "builtins.complex",
  "builtins.range",
  "builtins.bytes",
  "builtins.bool",
  "builtins.int",
  "builtins.float",
  "builtins.str",
  "builtins.tuple",
  "builtins.list",
  "builtins.dict",
  "_codecs.encode",
  "copyreg._reconstructor",
  "joblib.numpy_pickle.NumpyArrayWrapper",
]);

/** Whole modules (and their sub-modules) whose every name is dangerous: processes, files, network, code. */
const DENIED_MODULES = [
  "os",
  "posix",
  "nt",
  "posixpath",
  "ntpath",
  "subprocess",
  "_posixsubprocess",
  "sys",
  "pty",
  "shutil",
  "ctypes",
  "_ctypes",
  "socket",
  "_socket",
  "ssl",
  "requests",
  "httpx",
  "aiohttp",
  "asyncio",
  "urllib",
  "http",
  "ftplib",
  "smtplib",
  "telnetlib",
  "xmlrpc",
  "webbrowser",
  "pip",
  "venv",
  "ensurepip",
  "runpy",
  "pdb",
  "bdb",
  "code",
  "codeop",
  "timeit",
  "cProfile",
  "profile",
  "trace",
  "pydoc",
  "pickle",
  "_pickle",
  "pickletools",
  "dill",
  "cloudpickle",
  "marshal",
  "importlib",
  "imp",
  "zipimport",
  "pkgutil",
  "multiprocessing",
  "concurrent",
  "threading",
  "_thread",
  "signal",
  "tempfile",
  "glob",
  "io",
  "_io",
  "fileinput",
  "pathlib",
  "mailcap",
  "uuid",
  "platform",
  "sqlite3",
  "numpy.f2py",
  "numpy.testing",
  "torch.hub",
  "torch.jit",
  "torch.package",
  "torch.serialization",
  "torch._inductor",
  "torch.utils.collect_env",
  "torch._dynamo",
  "torch.ops",
  "picklescan",
  "modelscan",
  "fickling",
  "types",
  "inspect",
  "gc",
];

/** Single dangerous names (module.name). */
const DENIED_NAMES = new Set([
  "builtins.eval",
  "builtins.exec",
  "builtins.execfile",
  "builtins.compile",
  "builtins.getattr",
  "builtins.setattr",
  "builtins.delattr",
  "builtins.apply",
  "builtins.open",
  "builtins.file",
  "builtins.breakpoint",
  "builtins.__import__",
  "builtins.input",
  "builtins.globals",
  "builtins.locals",
  "builtins.vars",
  "builtins.reload",
  "builtins.help",
  "builtins.exit",
  "builtins.quit",
  "functools.partial",
  "functools.reduce",
  "operator.attrgetter",
  "operator.itemgetter",
  "operator.methodcaller",
  "operator.call",
  "logging.FileHandler",
  "logging.config.listen",
  "torch.load",
  "torch.save",
  "numpy.load",
  "numpy.loadtxt",
  "numpy.fromfile",
  "numpy.save",
  "pandas.read_pickle",
  "pandas.read_csv",
  "pandas.io.pickle.read_pickle",
  "joblib.load",
  "joblib.dump",
  "joblib.numpy_pickle.load",
  "joblib.numpy_pickle.NDArrayWrapper",
  "copyreg.__newobj__",
]);

/** Python-2 names the unpickler maps to Python 3 ones (`fix_imports`). */
const PY2_MODULES: Record<string, string> = {
  __builtin__: "builtins",
  copy_reg: "copyreg",
  exceptions: "builtins",
  cPickle: "pickle",
  commands: "subprocess",
  urllib2: "urllib.request",
  httplib: "http.client",
  Queue: "queue",
};

export function normaliseModule(module: string): string {
  return PY2_MODULES[module] ?? module;
}

export interface ImportClass {
  severity: Severity;
  rule: string;
  why: string;
}

const hasDunder = (part: string) => part.startsWith("__") || part.endsWith("__");

/** How dangerous importing `name` from `module` is. */
export function classifyImport(rawModule: string, name: string): ImportClass {
  const module = normaliseModule(rawModule);
  const full = `${module}.${name}`;
  if (module === "" || name === "" || /[\s\0]/.test(module) || /[\s\0]/.test(name)) {
    return { severity: "unsafe", rule: "pickle.import.malformed", why: "an empty or blank module or name" };
  }
  // Dotted names are attribute walks (`print.__self__.__import__`) that protocol 4 resolves.
  if (name.includes(".")) {
    return { severity: "unsafe", rule: "pickle.import.dotted", why: "a dotted name walks attributes" };
  }
  if (hasDunder(name) || module.split(".").some(hasDunder)) {
    return {
      severity: "unsafe",
      rule: "pickle.import.dunder",
      why: "a dunder name reaches Python internals",
    };
  }
  if (ALLOWED_IMPORTS.has(full)) return { severity: "info", rule: "pickle.import.allowed", why: "data-only" };
  if (
    DENIED_NAMES.has(full) ||
    DENIED_MODULES.some((denied) => module === denied || module.startsWith(`${denied}.`))
  ) {
    return {
      severity: "unsafe",
      rule: "pickle.import.denied",
      why: "can run code, touch files or the network",
    };
  }
  if (module === "builtins") {
    return {
      severity: "suspicious",
      rule: "pickle.import.unknown",
      why: "a builtin not known to be data-only",
    };
  }
  return {
    severity: "suspicious",
    rule: "pickle.import.unknown",
    why: "not on the allow-list of data-only imports",
  };
}
