import { accessSync, constants, mkdtempSync, rmdirSync, statSync } from "node:fs"
import { dirname, join, resolve } from "node:path"
import { InputError } from "@standin/core"
import { Effect } from "effect"

/**
 * Where a command will write, checked before any work (a paid simulation must never end on a path
 * that could not take its results). Each refusal is one `standin:` line naming the flag and the path.
 */

const statOf = (path: string) => {
  try {
    return statSync(path)
  } catch {
    return undefined
  }
}

/** The nearest folder of `path` (itself or an ancestor) that exists, or a file that stands in the way. */
const nearestExisting = (path: string): { readonly path: string; readonly isDirectory: boolean } => {
  let current = path
  for (;;) {
    const found = statOf(current)
    if (found !== undefined) return { path: current, isDirectory: found.isDirectory() }
    const parent = dirname(current)
    if (parent === current) return { path: current, isDirectory: true }
    current = parent
  }
}

/**
 * Whether a folder takes new files: a probe folder is made and removed in it. (Permission bits alone
 * say nothing for root, nor for read-only or kernel file systems such as /proc.)
 */
const writableFolder = (folder: string): string | undefined => {
  try {
    accessSync(folder, constants.W_OK | constants.X_OK)
    rmdirSync(mkdtempSync(join(folder, ".standin-probe-")))
    return undefined
  } catch (cause) {
    const code = typeof cause === "object" && cause !== null && "code" in cause ? String(cause.code) : ""
    return code === "EROFS"
      ? "is on a read-only file system"
      : code === "EACCES" || code === "EPERM"
        ? "is not writable (permission denied)"
        : `does not take new files (${code || String(cause)})`
  }
}

const refuse = (flag: string, message: string) => Effect.fail(new InputError({ flag, message }))

/** An output folder (`--out`): a folder, or a path whose nearest existing ancestor is a writable folder. */
export const checkOutputFolder = (flag: string, path: string): Effect.Effect<string, InputError> =>
  Effect.suspend(() => {
    const target = resolve(path)
    const found = nearestExisting(target)
    if (!found.isDirectory)
      return found.path === target
        ? refuse(
            flag,
            `${flag} ${path}: ${target} is a file, not a folder. Give a folder (it is created if missing).`,
          )
        : refuse(flag, `${flag} ${path}: ${found.path} is a file, so no folder can be made under it.`)
    const problem = writableFolder(found.path)
    if (problem !== undefined)
      return refuse(
        flag,
        `${flag} ${path}: ${found.path === target ? "the folder" : `${found.path}, where the folder would be made,`} ${problem}. Give a folder you can write to.`,
      )
    return Effect.succeed(target)
  })

/** A file to create or update in place (`--store`): not a folder, in a writable folder, writable itself. */
export const checkWritableFile = (flag: string, path: string): Effect.Effect<string, InputError> =>
  Effect.suspend(() => {
    const target = resolve(path)
    const found = nearestExisting(target)
    if (found.path === target) {
      if (found.isDirectory)
        return refuse(
          flag,
          `${flag} ${path}: ${target} is a folder; give a file, e.g. ${join(path, "store.sqlite")}.`,
        )
      try {
        accessSync(target, constants.R_OK | constants.W_OK)
      } catch {
        return refuse(flag, `${flag} ${path}: ${target} cannot be read and written (permission denied).`)
      }
      const problem = writableFolder(dirname(target))
      // SQLite writes its journal beside the file
      if (problem !== undefined)
        return refuse(flag, `${flag} ${path}: its folder ${dirname(target)} ${problem}.`)
      return Effect.succeed(target)
    }
    if (!found.isDirectory)
      return refuse(flag, `${flag} ${path}: ${found.path} is a file, so no folder can be made under it.`)
    const problem = writableFolder(found.path)
    if (problem !== undefined)
      return refuse(flag, `${flag} ${path}: ${found.path}, where the file would be made, ${problem}.`)
    return Effect.succeed(target)
  })
