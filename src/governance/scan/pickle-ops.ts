import { BYTES, EMPTY_TUPLE, type Machine } from "./pickle-machine.ts";
import { persistent, report, strOf } from "./pickle-state.ts";

/**
 * The opcodes without operands (containers, calls, BUILD, persistent ids) on machine `m`: true when a joblib
 * array's bytes follow the BUILD just run (`m.joblibState`, `m.joblibAt`).
 */
export function structural(m: Machine, op: number, at: number, here: number): boolean {
  switch (op) {
    case 0x30: // POP
      if (m.sp > m.floor) m.sp--;
      else m.popMark(here);
      return false;
    case 0x31: // POP_MARK
      m.popMark(here);
      return false;
    case 0x32: // DUP
      m.push(m.top(here), here);
      return false;
    case 0x97: // NEXT_BUFFER
      m.push(BYTES, here);
      return false;
    case 0x98: // READONLY_BUFFER
      m.top(here);
      return false;
    case 0x29: // EMPTY_TUPLE
      m.push(EMPTY_TUPLE, here);
      return false;
    case 0x74: // TUPLE
      m.push({ k: "tuple", items: m.popMark(here) }, here);
      return false;
    case 0x85:
    case 0x86:
    case 0x87: // TUPLE1..3
      m.push(m.tuple(op - 0x84, here), here);
      return false;
    case 0x5d: // EMPTY_LIST
      m.push({ k: "list", items: [] }, here);
      return false;
    case 0x6c: // LIST
      m.push({ k: "list", items: m.popMark(here).slice(0, m.keepItems) }, here);
      return false;
    case 0x7d: // EMPTY_DICT
      m.push({ k: "dict", entries: [] }, here);
      return false;
    case 0x64: // DICT
      m.push(m.dict(here), here);
      return false;
    case 0x8f: // EMPTY_SET
      m.push({ k: "set", items: [] }, here);
      return false;
    case 0x91: // FROZENSET
      m.push({ k: "set", items: m.popMark(here).slice(0, m.keepItems) }, here);
      return false;
    case 0x93: {
      // STACK_GLOBAL
      const name = m.pop(here);
      const module = m.pop(here);
      m.push(m.import(strOf(module), strOf(name), at, "STACK_GLOBAL"), here);
      return false;
    }
    case 0x6f: {
      // OBJ
      const items = m.popMark(here);
      if (items.length === 0) m.fail("OBJ without a class", at);
      m.push(m.call(items[0]!, { k: "tuple", items: items.slice(1) }, "OBJ", at), here);
      return false;
    }
    case 0x52: // REDUCE
    case 0x81: {
      // NEWOBJ
      const args = m.pop(here);
      const callable = m.pop(here);
      m.push(m.call(callable, args, op === 0x52 ? "REDUCE" : "NEWOBJ", at), here);
      return false;
    }
    case 0x92: {
      // NEWOBJ_EX
      m.pop(here);
      const args = m.pop(here);
      const cls = m.pop(here);
      m.push(m.call(cls, args, "NEWOBJ_EX", at), here);
      return false;
    }
    case 0x62: {
      // BUILD
      const buildState = m.pop(here);
      const target = m.top(here);
      if (target.k === "global") {
        report(m.state, `build-global@${at}`, {
          rule: "pickle.build.global",
          severity: "unsafe",
          message: "BUILD sets attributes on an imported module-level object",
          offset: at,
        });
      }
      if (target.k === "obj") {
        target.state = buildState;
        if (target.cls.k === "global" && target.cls.full?.endsWith("numpy_pickle.NumpyArrayWrapper")) {
          m.joblibState = buildState;
          m.joblibAt = at;
          return true;
        }
      }
      return false;
    }
    case 0x51: {
      // BINPERSID
      const id = m.pop(here);
      persistent(m.state, id, at);
      m.push({ k: "pid", id }, here);
      return false;
    }
    default:
      m.fail(`invalid opcode 0x${op.toString(16).padStart(2, "0")}`, at);
  }
}
