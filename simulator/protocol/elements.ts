// Element ids handed to the client. An id stays valid while its node is in a live page; afterwards every call on it
// fails with a message saying the element is gone, instead of acting on a detached node.
import type { Element as ExElement } from '../runtime/exparser';
import { exparser } from '../runtime/dom-env';
import type { PageInstance, Simulation } from '../runtime/simulation';
import { tagOf } from '../runtime/tree';
import type { ElementRef } from './methods';

interface Entry {
  node: ExElement;
  page: PageInstance;
}

export class ElementRegistry {
  private seq = 0;
  private readonly byId = new Map<string, Entry>();
  private readonly ids = new WeakMap<object, string>();

  constructor(private readonly sim: Simulation) {}

  describe(node: ExElement, page: PageInstance): ElementRef {
    let id = this.ids.get(node);
    if (!id) {
      id = `el-${++this.seq}`;
      this.ids.set(node, id);
      this.byId.set(id, { node, page });
    }
    // DevTools reports tag names in lower case (its docs: element.tagName, "标签名，小写")
    const out: ElementRef = { elementId: id, tagName: tagOf(node).toLowerCase() };
    if (this.sim.isCustomComponent(node)) out.nodeId = id;
    return out;
  }

  get(elementId: unknown, pageId: unknown): Entry {
    const entry = this.byId.get(String(elementId));
    if (!entry) throw new Error(`element ${String(elementId)} is unknown to the simulator`);
    if (!entry.page.alive || !entry.page.app.alive) {
      this.byId.delete(String(elementId));
      throw new Error(`element ${String(elementId)} <${tagOf(entry.node)}> is gone: its page ${entry.page.route} was closed`);
    }
    if (pageId !== undefined && pageId !== null && Number(pageId) !== entry.page.id) {
      throw new Error(`element ${String(elementId)} does not belong to page ${String(pageId)}`);
    }
    if (!exparser().Element.isAttached(entry.node)) {
      this.byId.delete(String(elementId));
      throw new Error(`element ${String(elementId)} <${tagOf(entry.node)}> is gone: it was removed from the page by a re-render`);
    }
    return entry;
  }
}
