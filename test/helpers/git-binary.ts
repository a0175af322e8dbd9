import { execFileSync } from "node:child_process";
import { makeTempDir } from "./test-hangar.ts";

/** Who and when, as the git binary takes them from GIT_AUTHOR_* and GIT_COMMITTER_*. */
export interface GitPerson {
  name: string;
  email: string;
  /** Unix seconds. */
  seconds: number;
}

/** A file for the index: a path and the bytes of its blob (an LFS file's pointer text). */
export interface GitFile {
  path: string;
  content: Buffer;
}

/**
 * The real git binary on a throwaway repository, with no user or system configuration, so tests can ask git
 * itself what ids and bytes the same files, folders and commits have.
 */
export class GitBinary {
  private constructor(readonly dir: string) {}

  static async create(): Promise<{ git: GitBinary; remove: () => Promise<void> }> {
    const temp = await makeTempDir("hangar-git-");
    const git = new GitBinary(temp.path);
    git.run(["init", "-q", "."]);
    return { git, remove: temp.remove };
  }

  run(args: string[], options: { input?: string | Buffer; env?: Record<string, string> } = {}): Buffer {
    return execFileSync("git", args, {
      cwd: this.dir,
      input: options.input ?? "",
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        HOME: this.dir,
        GIT_CONFIG_NOSYSTEM: "1",
        GIT_CONFIG_GLOBAL: "/dev/null",
        LC_ALL: "C",
        ...options.env,
      },
      maxBuffer: 64 * 1024 * 1024,
      stdio: ["pipe", "pipe", "pipe"],
    });
  }

  text(args: string[], options: { input?: string | Buffer; env?: Record<string, string> } = {}): string {
    return this.run(args, options).toString("utf8").trim();
  }

  /** Writes a blob; returns its id. */
  hashObject(content: Buffer): string {
    return this.text(["hash-object", "-w", "--stdin"], { input: content });
  }

  /** Writes an object of a type from its body, as git checks and stores it; returns its id. */
  writeObject(type: "blob" | "tree" | "commit", body: Buffer): string {
    return this.text(["hash-object", "-w", "-t", type, "--stdin"], { input: body });
  }

  /** Puts the files in a fresh index, as regular files, and writes its trees; returns the root tree's id. */
  writeTree(files: readonly GitFile[]): string {
    this.run(["read-tree", "--empty"]);
    const records = files.map((file) => `100644 ${this.hashObject(file.content)}\t${file.path}\0`).join("");
    this.run(["update-index", "-z", "--index-info"], { input: records });
    return this.text(["write-tree"]);
  }

  /** `git commit-tree -m`: the message gets a final newline when it lacks one. */
  commitTree(params: {
    tree: string;
    parents: readonly string[];
    message: string;
    author: GitPerson;
  }): string {
    const { author } = params;
    const date = `${author.seconds} +0000`;
    return this.text(
      [
        "commit-tree",
        params.tree,
        ...params.parents.flatMap((parent) => ["-p", parent]),
        "-m",
        params.message,
      ],
      {
        env: {
          GIT_AUTHOR_NAME: author.name,
          GIT_AUTHOR_EMAIL: author.email,
          GIT_AUTHOR_DATE: date,
          GIT_COMMITTER_NAME: author.name,
          GIT_COMMITTER_EMAIL: author.email,
          GIT_COMMITTER_DATE: date,
        },
      },
    );
  }

  /** An object's body, as git stores it. */
  catFile(type: "blob" | "tree" | "commit", oid: string): Buffer {
    return this.run(["cat-file", type, oid]);
  }

  revParse(spec: string): string {
    return this.text(["rev-parse", "--verify", spec]);
  }
}
