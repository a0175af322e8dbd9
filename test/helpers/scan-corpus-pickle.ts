import { deflateSync } from "node:zlib";
import type { Verdict } from "../../src/governance/scan/index.ts";
import type { ScanLimits } from "../../src/governance/scan/types.ts";
import { call4, hex, op, pickle } from "./pickle-asm.ts";
import { gzip, joblibArray, legacyTorch, npy, torchDataPickle, torchZip, zip } from "./scan-builders.ts";

export interface CorpusFile {
  /** File name inside its own folder. */
  name: string;
  bytes: Uint8Array;
  expect: Verdict;
  /** A rule the findings must include. */
  rule?: string;
  format?: string;
  limits?: Partial<ScanLimits>;
  /** Files next to it (name → bytes, or a symlink target). */
  siblings?: Record<string, Uint8Array | { symlink: string }>;
  why: string;
}

/** P-M2: `os.system("id")` through STACK_GLOBAL. */
export const OS_SYSTEM = hex("80048c026f738c0673797374656d938c02696485522e");
const BENIGN_INT = hex("80024b2a2e");

export const PICKLE_MALICIOUS: CorpusFile[] = [
  { name: "m1.pkl", bytes: hex("636f730a73797374656d0a2853276964270a74522e"), expect: "unsafe", rule: "pickle.import.denied", why: "protocol-0 GLOBAL os system" },
  { name: "m2.pkl", bytes: OS_SYSTEM, expect: "unsafe", rule: "pickle.import.denied", why: "STACK_GLOBAL" },
  { name: "m3.pkl", bytes: hex("2853276964270a696f730a73797374656d0a2e"), expect: "unsafe", rule: "pickle.import.denied", why: "B1 INST" },
  { name: "m4.pt", bytes: hex("8003636275696c74696e730a6576616c0a5803000000312b3185522e"), expect: "unsafe", rule: "pickle.import.denied", why: "builtins eval" },
  {
    name: "m5.bin",
    bytes: hex("80048c05746f726368948c0b4c6f6e6753746f726167659430308c026f7371008c0673797374656d7101303068006801938c02696485522e"),
    expect: "unsafe",
    rule: "pickle.import.denied",
    why: "B2 memo confusion: MEMOIZE then BINPUT overwrite",
  },
  { name: "m6.pkl", bytes: hex("80048c086275696c74696e738c03737472938c026f7385528c0673797374656d938c02696485522e"), expect: "unsafe", rule: "pickle.import.unresolved", why: "B3 module operand built by REDUCE" },
  { name: "m7.pkl", bytes: hex("80048c026f738c0673797374656d938c0269648552fffe"), expect: "unsafe", rule: "pickle.malformed", why: "B4 payload then garbage, no STOP" },
  { name: "m8.pkl", bytes: pickle(BENIGN_INT, OS_SYSTEM), expect: "unsafe", rule: "pickle.import.denied", why: "B5 benign pickle then a malicious one" },
  {
    name: "m9.pkl",
    bytes: hex("8004636275696c74696e730a7072696e742e5f5f73656c665f5f2e5f5f696d706f72745f5f0a8c026f7385522e"),
    expect: "unsafe",
    rule: "pickle.import.dotted",
    why: "B8 dotted name print.__self__.__import__",
  },
  { name: "m10.pkl", bytes: hex("53276f73270a532773797374656d270a9353276964270a85522e"), expect: "unsafe", rule: "pickle.import.denied", why: "B3 STRING operands to STACK_GLOBAL" },
  {
    name: "m11.pkl",
    bytes: pickle(op.proto(4), op.global("numpy", "size"), op.global("numpy", "__builtins__"), op.build, op.global("numpy", "eval"), op.su("1"), op.tuple1, op.reduce, op.stop),
    expect: "unsafe",
    rule: "pickle.import.dunder",
    why: "B9 numpy.__builtins__ re-export then eval (modelscan#330)",
  },
  {
    name: "escaped-string.pkl",
    bytes: pickle(op.string("'o\\x73'"), op.string("'sys\\164em'"), op.stackGlobal, op.string("'id'"), op.tuple1, op.reduce, op.stop),
    expect: "unsafe",
    rule: "pickle.import.denied",
    why: "escaped STRING operands (hex and octal) spell os system",
  },
  {
    name: "escaped-unicode.pkl",
    bytes: pickle(op.unicode("\\u006fs"), op.unicode("\\U00000073ystem"), op.stackGlobal, op.su("id"), op.tuple1, op.reduce, op.stop),
    expect: "unsafe",
    rule: "pickle.import.denied",
    why: "raw-unicode-escape UNICODE operands",
  },
  {
    name: "getattr.pkl",
    bytes: pickle(op.proto(2), op.global("__builtin__", "getattr"), op.global("__builtin__", "globals"), op.mark, op.tuple, op.reduce, op.su("x"), op.tuple2, op.reduce, op.stop),
    expect: "unsafe",
    rule: "pickle.import.denied",
    why: "builtins reached through getattr, Python-2 module name",
  },
  {
    name: "text-memo.pkl",
    bytes: pickle(op.string("'subprocess'"), op.put(7), op.pop, op.string("'Popen'"), op.put(8), op.pop, op.get(7), op.get(8), op.stackGlobal, op.string("'id'"), op.tuple1, op.reduce, op.stop),
    expect: "unsafe",
    rule: "pickle.import.denied",
    why: "STACK_GLOBAL from a protocol-0 text memo (PUT/GET)",
  },
  {
    name: "long-memo.pkl",
    bytes: pickle(op.proto(4), op.su("os"), op.longBinput(70000), op.pop, op.su("popen"), op.longBinput(70001), op.pop, op.longBinget(70000), op.longBinget(70001), op.stackGlobal, op.stop),
    expect: "unsafe",
    rule: "pickle.import.denied",
    why: "STACK_GLOBAL from LONG_BINPUT/LONG_BINGET",
  },
  {
    name: "missing-memo.pkl",
    bytes: pickle(op.proto(4), op.su("os"), op.binget(9), op.stackGlobal, op.stop),
    expect: "unsafe",
    rule: "pickle.malformed",
    why: "GET of a key never stored",
  },
  { name: "trailing.pkl", bytes: pickle(BENIGN_INT, "garbage!"), expect: "unsafe", rule: "pickle.trailing-data", why: "garbage after the last stream" },
  { name: "reexport.pkl", bytes: pickle(op.proto(2), op.global("torch", "os"), op.stop), expect: "suspicious", rule: "pickle.import.unknown", why: "an allow-listed module's re-export is not allowed" },
  { name: "importlib.pkl", bytes: pickle(op.proto(4), call4("importlib", "import_module", op.su("os")), op.stop), expect: "unsafe", rule: "pickle.import.denied", why: "B7 importlib.import_module" },
  { name: "marshal.pkl", bytes: pickle(op.proto(4), call4("marshal", "loads", op.shortBinbytes([0xe3])), op.stop), expect: "unsafe", rule: "pickle.import.denied", why: "B7 marshal.loads" },
  { name: "unknown-module.pkl", bytes: pickle(op.proto(4), call4("evil_helpers", "run", op.su("x")), op.stop), expect: "suspicious", rule: "pickle.import.unknown", why: "B7 anything not allow-listed" },
  { name: "nested-load.pkl", bytes: pickle(op.proto(4), call4("pickle", "loads", op.binbytes(OS_SYSTEM)), op.stop), expect: "unsafe", rule: "pickle.import.denied", why: "B10 nested pickle.loads" },
  {
    name: "partial.pkl",
    bytes: pickle(op.proto(4), call4("functools", "partial", op.su("torch"), op.su("load")), op.stop),
    expect: "unsafe",
    rule: "pickle.import.denied",
    why: "B10 functools.partial",
  },
  { name: "persid.pkl", bytes: pickle(op.proto(2), op.persid("x"), op.stop), expect: "suspicious", rule: "pickle.persistent-id", why: "persistent id outside a torch archive" },
  { name: "ext.pkl", bytes: pickle(op.proto(2), op.ext1(1), op.emptyTuple, op.reduce, op.stop), expect: "suspicious", rule: "pickle.import.extension", why: "EXT1 import through the registry" },
  { name: "invalid-opcode.pkl", bytes: pickle(op.proto(4), [0xff], op.stop), expect: "unsafe", rule: "pickle.malformed", why: "invalid opcode" },
  {
    name: "dup-bomb.pkl",
    bytes: pickle(op.proto(4), op.none, Buffer.alloc(200_000, 0x32), op.stop),
    limits: { maxStack: 100_000 },
    expect: "suspicious",
    rule: "pickle.limit",
    why: "resource limit: stack",
  },
  {
    name: "bytearray-then-payload.pkl",
    bytes: pickle(op.proto(5), op.bytearray8(Buffer.alloc(100, 1)), op.pop, op.su("os"), op.su("system"), op.stackGlobal, op.stop),
    expect: "unsafe",
    rule: "pickle.import.denied",
    why: "protocol 5 with an out-of-band style payload first",
  },
  // Containers
  { name: "torch-malicious.pt", bytes: torchZip("archive", OS_SYSTEM), expect: "unsafe", rule: "pickle.import.denied", why: "torch zip with a malicious data.pkl" },
  { name: "torch-prefix.pt", bytes: torchZip("my_model_v2", OS_SYSTEM), expect: "unsafe", rule: "pickle.import.denied", why: "data prefix taken from the first entry" },
  { name: "zip-crc.pt", bytes: zip([{ name: "archive/data.pkl", data: OS_SYSTEM, corruptCrc: true }]), expect: "unsafe", rule: "pickle.import.denied", why: "B6 CRC mismatch" },
  { name: "zip-flags.pt", bytes: zip([{ name: "archive/data.pkl", data: OS_SYSTEM, flags: 0x1 | 0x20 | 0x40 }]), expect: "unsafe", rule: "pickle.import.denied", why: "B6 flag bits 0x1/0x20/0x40" },
  { name: "zip-names.pt", bytes: zip([{ name: "archive/data.pkl", data: OS_SYSTEM, localName: "archive/readme.txt" }]), expect: "unsafe", rule: "zip.name-mismatch", why: "B6 central and local names differ" },
  { name: "zip-renamed.zip", bytes: zip([{ name: "notes/data.txt", data: OS_SYSTEM, deflate: true }]), expect: "unsafe", rule: "pickle.import.denied", why: "B6 pickle under a non-pickle name" },
  {
    name: "nested.zip",
    bytes: zip([{ name: "inner.zip", data: zip([{ name: "model.pt", data: torchZip("archive", OS_SYSTEM) }]), deflate: true }]),
    expect: "unsafe",
    rule: "pickle.import.denied",
    why: "zip in zip in zip",
  },
  {
    name: "deep.zip",
    bytes: [1, 2, 3, 4].reduce<Uint8Array>((inner, level) => zip([{ name: `level${level}.zip`, data: inner }]), zip([{ name: "x.pkl", data: OS_SYSTEM }])),
    expect: "suspicious",
    rule: "archive.too-deep",
    why: "nesting past the depth limit",
  },
  {
    name: "bomb.zip",
    bytes: zip([{ name: "zeros.bin", data: Buffer.alloc(8 * 1024 * 1024), deflate: true }]),
    limits: { maxInflatedBytes: 1024 * 1024 },
    expect: "suspicious",
    rule: "archive.bomb",
    why: "inflates past the budget",
  },
  { name: "legacy-magic.pt", bytes: legacyTorch(undefined, call4("builtins", "eval", op.su("0x1950A86A20F9469CFC6C"))), expect: "unsafe", rule: "pickle.import.denied", why: "legacy torch whose magic is eval()" },
  {
    name: "legacy-object.pt",
    bytes: legacyTorch(pickle(op.proto(2), op.global("posix", "system"), op.su("id"), op.tuple1, op.reduce, op.stop)),
    expect: "unsafe",
    rule: "pickle.import.denied",
    why: "legacy torch with a malicious object pickle",
  },
  { name: "object.npy", bytes: npy("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", OS_SYSTEM), expect: "unsafe", rule: "pickle.import.denied", why: "object .npy carrying a pickle" },
  {
    name: "object.npz",
    bytes: zip([{ name: "arr_0.npy", data: npy("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", OS_SYSTEM), deflate: true }]),
    expect: "unsafe",
    rule: "pickle.import.denied",
    why: "npz member with an object array",
  },
  { name: "model.joblib", bytes: gzip(OS_SYSTEM), expect: "unsafe", rule: "pickle.import.denied", why: "B11 gzip-compressed joblib" },
  { name: "zlib.joblib", bytes: deflateSync(OS_SYSTEM), expect: "unsafe", rule: "pickle.import.denied", why: "B11 zlib-compressed joblib" },
  { name: "xz.joblib", bytes: pickle([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], "rest"), expect: "suspicious", rule: "pickle.compressed-unsupported", why: "B11 xz cannot be inspected" },
  {
    name: "estimator.joblib",
    bytes: joblibArray({ estimator: ["sklearn.linear_model._base", "LinearRegression"] }),
    expect: "suspicious",
    rule: "pickle.import.unknown",
    why: "an estimator class is suspicious, not unsafe",
  },
  { name: "array-then-payload.joblib", bytes: joblibArray({ after: OS_SYSTEM }), expect: "unsafe", rule: "pickle.import.denied", why: "numpy framing parsed, the pickle after it walked" },
];

export const PICKLE_BENIGN: CorpusFile[] = [
  { name: "int.pkl", bytes: BENIGN_INT, expect: "safe", why: "P-B1" },
  { name: "dict.pkl", bytes: hex("80047d942e"), expect: "safe", why: "P-B2" },
  { name: "list0.pkl", bytes: hex("286c70300a5661610a70310a612e"), expect: "safe", why: "P-B3 protocol 0" },
  { name: "ordered.pkl", bytes: hex("800263636f6c6c656374696f6e730a4f726465726564446963740a7100295271012e"), expect: "safe", why: "P-B4 OrderedDict" },
  { name: "torch.pt", bytes: torchZip(), expect: "safe", format: "pytorch-zip", why: "P-B5 torch.save-shaped checkpoint" },
  { name: "torch-other-prefix.pth", bytes: torchZip("resnet"), expect: "safe", format: "pytorch-zip", why: "a checkpoint under another folder" },
  { name: "legacy.pt", bytes: legacyTorch(), expect: "safe", format: "pytorch-legacy", why: "legacy torch with storages" },
  { name: "ints.npy", bytes: npy("{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }", Buffer.from(new BigInt64Array([1n, 2n, 3n]).buffer)), expect: "safe", format: "npy", why: "P-B6" },
  { name: "png.pt", bytes: hex("89504e470d0a1a0a0000000d49484452"), expect: "safe", why: "P-B7 not a pickle, not infected" },
  {
    name: "arrays.npz",
    bytes: zip([
      { name: "a.npy", data: npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }", Buffer.alloc(16)) },
      { name: "b.npy", data: npy("{'descr': '|u1', 'fortran_order': False, 'shape': (5,), }", Buffer.alloc(5)), deflate: true },
    ]),
    expect: "safe",
    format: "npz",
    why: "npz of plain arrays",
  },
  { name: "plain.joblib", bytes: joblibArray(), expect: "safe", why: "joblib dict with a numpy array between the opcodes" },
  { name: "gz.joblib", bytes: gzip(joblibArray()), expect: "safe", why: "compressed benign joblib" },
  {
    name: "ndarray.pkl",
    bytes: pickle(
      op.proto(2),
      op.global("numpy.core.multiarray", "_reconstruct"),
      op.global("numpy", "ndarray"),
      op.binint1(0),
      op.tuple1,
      op.sbs("b"),
      op.tuple3,
      op.reduce,
      op.mark,
      op.binint1(1),
      op.binint1(2),
      op.tuple1,
      op.global("numpy", "dtype"),
      op.sbs("f8"),
      op.binint1(0),
      op.binint1(1),
      op.tuple3,
      op.reduce,
      op.newFalse,
      op.shortBinbytes(Buffer.alloc(16)),
      op.tuple,
      op.build,
      op.stop,
    ),
    expect: "safe",
    why: "a numpy array pickled with protocol 2",
  },
  {
    name: "state.bin",
    bytes: pickle(op.proto(4), op.frame(30), op.global("collections", "OrderedDict"), op.emptyTuple, op.reduce, op.su("a"), op.binfloat(1.5), op.setitem, op.memoize, op.stop),
    expect: "safe",
    why: "framed protocol 4 state dict",
  },
  { name: "nested-ok.zip", bytes: zip([{ name: "inner/model.pt", data: torchZip(), deflate: true }, { name: "README.md", data: "# hi\n" }]), expect: "safe", why: "a benign checkpoint inside a zip" },
  { name: "torch-data.pkl", bytes: torchDataPickle(), expect: "suspicious", rule: "pickle.persistent-id", why: "a data.pkl outside its archive: persistent ids need review" },
];
