import type { DocPath, PathElement } from './ast';
import { type AttributeValue, cloneValue, type Item } from './values';

// Projection keeps only the requested paths; list elements are compacted in index order, as in DynamoDB.
interface ProjectionNode {
  all: boolean;
  children: Map<PathElement, ProjectionNode>;
}

function projectionTree(paths: DocPath[]): ProjectionNode {
  const root: ProjectionNode = { all: false, children: new Map() };
  for (const path of paths) {
    let node = root;
    for (const element of path) {
      let child = node.children.get(element);
      if (!child) {
        child = { all: false, children: new Map() };
        node.children.set(element, child);
      }
      node = child;
    }
    node.all = true;
  }
  return root;
}

function projectValue(value: AttributeValue, node: ProjectionNode): AttributeValue | undefined {
  if (node.all) return cloneValue(value);
  if (value.M) {
    const map: Item = {};
    for (const [element, child] of node.children) {
      const member = typeof element === 'string' ? value.M[element] : undefined;
      const projected = member && projectValue(member, child);
      if (projected) map[element as string] = projected;
    }
    return Object.keys(map).length > 0 ? { M: map } : undefined;
  }
  if (value.L) {
    const indexes = [...node.children.keys()]
      .filter((e): e is number => typeof e === 'number')
      .sort((a, b) => a - b);
    const list: AttributeValue[] = [];
    for (const index of indexes) {
      const member = value.L[index];
      const child = node.children.get(index);
      const projected = member && child && projectValue(member, child);
      if (projected) list.push(projected);
    }
    return list.length > 0 ? { L: list } : undefined;
  }
  return undefined;
}

export function projectItem(item: Item, paths: DocPath[]): Item {
  return projectValue({ M: item }, projectionTree(paths))?.M ?? {};
}
