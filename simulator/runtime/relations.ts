// Component relations (`relations: {'../item/index': {type: 'child', linked() {...}}}`), as WeChat links them: the key
// is a path relative to the component's own file, naming the other component. exparser links relations by the
// registered id of the other side, and j-component's getRelationNodes(key) finds them by the component's path, so a
// definition is registered with its path and its relations keyed by the other side's id (the other side is
// registered on the way; ids are reserved first, so two components relating to each other resolve).
import { resolveComponentPath } from './project';

type Relation = Record<string, unknown> & { target?: unknown };

export function relationsByTarget(
  relations: unknown,
  root: string,
  fromPath: string,
  idOf: (componentPath: string) => string,
): Record<string, Relation> | undefined {
  if (!relations || typeof relations !== 'object') return undefined;
  const out: Record<string, Relation> = {};
  for (const [key, value] of Object.entries(relations as Record<string, Relation>)) {
    const rel = value && typeof value === 'object' ? value : {};
    // a relation to a behavior names it by `target`; it links to whatever has the behavior
    if (rel.target !== undefined) {
      out[key] = rel;
      continue;
    }
    const targetPath = resolveComponentPath(root, fromPath, key);
    if (!targetPath) {
      out[key] = rel; // no such component: never links, as in WeChat
      continue;
    }
    const id = idOf(targetPath);
    out[id] = { ...rel, target: id };
  }
  return out;
}
