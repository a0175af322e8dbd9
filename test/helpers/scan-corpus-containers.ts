import { deflateSync } from "node:zlib";
import { call4, op, pickle } from "./pickle-asm.ts";
import {
  gzip,
  joblibArray,
  legacyTorch,
  npy,
  torchDataPickle,
  torchZip,
  zip,
} from "./scan-builders-containers.ts";
import type { CorpusFile } from "./scan-corpus.ts";
import { OS_SYSTEM } from "./scan-corpus-pickle.ts";

/**
 * Scanner corpus: files that hold pickles inside a container: torch.save zips and legacy checkpoints, plain
 * zips (with their tricks: bad CRCs, flags, names, nesting, bombs), NumPy .npy/.npz and joblib.
 */

export const CONTAINER_MALICIOUS: CorpusFile[] = [
  {
    name: "torch-malicious.pt",
    bytes: torchZip("archive", OS_SYSTEM),
    expect: "unsafe",
    rule: "pickle.import.denied",
    why: "torch zip with a malicious data.pkl",
  },
  {
    name: "torch-prefix.pt",
    bytes: torchZip("my_model_v2", OS_SYSTEM),
    expect: "unsafe",
    rule: "pickle.import.denied",
    why: "data prefix taken from the first entry",
  },
  {
    name: "zip-crc.pt",
    bytes: zip([{ name: "archive/data.pkl", data: OS_SYSTEM, corruptCrc: true }]),
    expect: "unsafe",
    rule: "pickle.import.denied",
    why: "B6 CRC mismatch",
  },
  {
    name: "zip-flags.pt",
    bytes: zip([{ name: "archive/data.pkl", data: OS_SYSTEM, flags: 0x1 | 0x20 | 0x40 }]),
    expect: "unsafe",
    rule: "pickle.import.denied",
    why: "B6 flag bits 0x1/0x20/0x40",
  },
  {
    name: "zip-names.pt",
    bytes: zip([{ name: "archive/data.pkl", data: OS_SYSTEM, localName: "archive/readme.txt" }]),
    expect: "unsafe",
    rule: "zip.name-mismatch",
    why: "B6 central and local names differ",
  },
  {
    name: "zip-renamed.zip",
    bytes: zip([{ name: "notes/data.txt", data: OS_SYSTEM, deflate: true }]),
    expect: "unsafe",
    rule: "pickle.import.denied",
    why: "B6 pickle under a non-pickle name",
  },
  {
    name: "nested.zip",
    bytes: zip([
      {
        name: "inner.zip",
        data: zip([{ name: "model.pt", data: torchZip("archive", OS_SYSTEM) }]),
        deflate: true,
      },
    ]),
    expect: "unsafe",
    rule: "pickle.import.denied",
    why: "zip in zip in zip",
  },
  {
    name: "deep.zip",
    bytes: [1, 2, 3, 4].reduce<Uint8Array>(
      (inner, level) => zip([{ name: `level${level}.zip`, data: inner }]),
      zip([{ name: "x.pkl", data: OS_SYSTEM }]),
    ),
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
  {
    name: "legacy-magic.pt",
    bytes: legacyTorch(undefined, call4("builtins", "eval", op.su("0x1950A86A20F9469CFC6C"))),
    expect: "unsafe",
    rule: "pickle.import.denied",
    why: "legacy torch whose magic is eval()",
  },
  {
    name: "legacy-object.pt",
    bytes: legacyTorch(
      pickle(op.proto(2), op.global("posix", "system"), op.su("id"), op.tuple1, op.reduce, op.stop),
    ),
    expect: "unsafe",
    rule: "pickle.import.denied",
    why: "legacy torch with a malicious object pickle",
  },
  {
    name: "object.npy",
    bytes: npy("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", OS_SYSTEM),
    expect: "unsafe",
    rule: "pickle.import.denied",
    why: "object .npy carrying a pickle",
  },
  {
    name: "object.npz",
    bytes: zip([
      {
        name: "arr_0.npy",
        data: npy("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", OS_SYSTEM),
        deflate: true,
      },
    ]),
    expect: "unsafe",
    rule: "pickle.import.denied",
    why: "npz member with an object array",
  },
  {
    name: "model.joblib",
    bytes: gzip(OS_SYSTEM),
    expect: "unsafe",
    rule: "pickle.import.denied",
    why: "B11 gzip-compressed joblib",
  },
  {
    name: "zlib.joblib",
    bytes: deflateSync(OS_SYSTEM),
    expect: "unsafe",
    rule: "pickle.import.denied",
    why: "B11 zlib-compressed joblib",
  },
  {
    name: "xz.joblib",
    bytes: pickle([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], "rest"),
    expect: "suspicious",
    rule: "pickle.compressed-unsupported",
    why: "B11 xz cannot be inspected",
  },
  {
    name: "estimator.joblib",
    bytes: joblibArray({ estimator: ["sklearn.linear_model._base", "LinearRegression"] }),
    expect: "suspicious",
    rule: "pickle.import.unknown",
    why: "an estimator class is suspicious, not unsafe",
  },
  {
    name: "array-then-payload.joblib",
    bytes: joblibArray({ after: OS_SYSTEM }),
    expect: "unsafe",
    rule: "pickle.import.denied",
    why: "numpy framing parsed, the pickle after it walked",
  },
  {
    name: "torch-data.pkl",
    bytes: torchDataPickle(),
    expect: "suspicious",
    rule: "pickle.persistent-id",
    why: "a data.pkl outside its archive: persistent ids need review",
  },
  {
    name: "storage-slot.pt",
    bytes: torchZip("archive", undefined, [{ name: "archive/data/1", data: OS_SYSTEM }]),
    expect: "unsafe",
    rule: "pickle.import.denied",
    why: "a pickle hidden in a tensor storage slot",
  },
  {
    name: "scripted.pt",
    bytes: torchZip("archive", undefined, [
      { name: "archive/code/__torch__/model.py", data: "def forward(self, x):\n  return x\n" },
    ]),
    expect: "suspicious",
    rule: "torch.torchscript",
    why: "a TorchScript program",
  },
];

export const CONTAINER_BENIGN: CorpusFile[] = [
  {
    name: "torch.pt",
    bytes: torchZip(),
    expect: "safe",
    format: "pytorch-zip",
    why: "P-B5 torch.save-shaped checkpoint",
  },
  {
    name: "torch-other-prefix.pth",
    bytes: torchZip("resnet"),
    expect: "safe",
    format: "pytorch-zip",
    why: "a checkpoint under another folder",
  },
  {
    name: "legacy.pt",
    bytes: legacyTorch(),
    expect: "safe",
    format: "pytorch-legacy",
    why: "legacy torch with storages",
  },
  {
    name: "ints.npy",
    bytes: npy(
      "{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }",
      Buffer.from(new BigInt64Array([1n, 2n, 3n]).buffer),
    ),
    expect: "safe",
    format: "npy",
    why: "P-B6",
  },
  {
    name: "arrays.npz",
    bytes: zip([
      {
        name: "a.npy",
        data: npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }", Buffer.alloc(16)),
      },
      {
        name: "b.npy",
        data: npy("{'descr': '|u1', 'fortran_order': False, 'shape': (5,), }", Buffer.alloc(5)),
        deflate: true,
      },
    ]),
    expect: "safe",
    format: "npz",
    why: "npz of plain arrays",
  },
  {
    name: "plain.joblib",
    bytes: joblibArray(),
    expect: "safe",
    why: "joblib dict with a numpy array between the opcodes",
  },
  { name: "gz.joblib", bytes: gzip(joblibArray()), expect: "safe", why: "compressed benign joblib" },
  {
    name: "nested-ok.zip",
    bytes: zip([
      { name: "inner/model.pt", data: torchZip(), deflate: true },
      { name: "README.md", data: "# hi\n" },
    ]),
    expect: "safe",
    why: "a benign checkpoint inside a zip",
  },
];
