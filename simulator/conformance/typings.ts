// Reads the `wx` surface from miniprogram-api-typings with the TypeScript compiler: every member of
// WechatMiniprogram.Wx, what kind of call it is, the base library that brought it, and the shape (methods and
// properties) of the objects the factories return. The result is written to simulator/runtime/wx/typings-catalog.json,
// which the runtime reads (parsing the typings at each launch would cost seconds).
import path from 'node:path';
import ts from 'typescript';
// the catalog's types are the runtime's, which reads what this writes
import type { ObjectShape, WxCatalog, WxEntry } from '../runtime/wx/catalog';

const TYPINGS_DIR = path.dirname(require.resolve('miniprogram-api-typings/package.json'));

export function readWxCatalog(): WxCatalog {
  const entry = path.join(TYPINGS_DIR, 'types', 'index.d.ts');
  const program = ts.createProgram([entry], { noEmit: true, skipLibCheck: true, types: [], lib: ['lib.es2020.d.ts'] });
  const checker = program.getTypeChecker();
  const apiFile = program.getSourceFile(path.join(TYPINGS_DIR, 'types', 'wx', 'lib.wx.api.d.ts'));
  if (!apiFile) throw new Error('miniprogram-api-typings: lib.wx.api.d.ts not found');

  let wxDecl: ts.InterfaceDeclaration | undefined;
  const find = (n: ts.Node): void => {
    if (ts.isInterfaceDeclaration(n) && n.name.text === 'Wx') wxDecl = n;
    else ts.forEachChild(n, find);
  };
  find(apiFile);
  if (!wxDecl) throw new Error('miniprogram-api-typings: interface WechatMiniprogram.Wx not found');

  const objects: Record<string, ObjectShape> = {};
  const pending: ts.Type[] = [];

  /** the interface a type names, when it is one (WechatMiniprogram.VideoContext, WxCloud...) */
  const interfaceName = (type: ts.Type): string | undefined => {
    const sym = type.aliasSymbol ?? type.getSymbol();
    if (!sym || !(sym.flags & ts.SymbolFlags.Interface)) return undefined;
    const name = sym.getName();
    if (['Promise', 'Array', 'ArrayBuffer', 'Object', 'Function', 'String', 'Number', 'Boolean'].includes(name)) return undefined;
    if (!objects[name] && !pending.includes(type)) pending.push(type);
    return name;
  };

  const hasCallbacks = (type: ts.Type | undefined): boolean => {
    if (!type) return false;
    const t = type.isTypeParameter() ? checker.getBaseConstraintOfType(type) ?? type : type;
    return ['success', 'fail', 'complete'].some((k) => !!checker.getPropertyOfType(t, k));
  };

  const returnsPromise = (sig: ts.Signature): boolean => {
    const decl = sig.getDeclaration();
    const text = decl && 'type' in decl && decl.type ? decl.type.getText() : '';
    return /^(PromisifySuccessResult|Promise)\b/.test(text);
  };

  const describeSignatures = (sigs: readonly ts.Signature[]) => {
    const sig = sigs[0];
    const first = sig.getParameters()[0];
    const firstType = first ? checker.getTypeOfSymbol(first) : undefined;
    const ret = checker.getReturnTypeOfSignature(sig);
    return { async: hasCallbacks(firstType), promise: sigs.some(returnsPromise), returns: interfaceName(ret) };
  };

  const functions: Record<string, WxEntry> = {};
  for (const member of wxDecl.members) {
    if (!member.name) continue;
    const name = member.name.getText();
    if (functions[name]) continue; // overloads
    const since = /需要基础库： `([\d.]+)`/.exec(member.getFullText())?.[1];
    const sym = checker.getSymbolAtLocation(member.name);
    const type = sym ? checker.getTypeOfSymbol(sym) : undefined;
    const sigs = type?.getCallSignatures() ?? [];
    let entry: WxEntry;
    if (!ts.isMethodSignature(member) || !sigs.length) {
      entry = { kind: 'object', returns: type ? interfaceName(type) : undefined };
    } else if (/^(on|off)[A-Z]/.test(name)) {
      entry = { kind: 'listener' };
    } else {
      const d = describeSignatures(sigs);
      // WeChat promisifies every async API except those that return a task (request, downloadFile...); the
      // typings' `void` on newer APIs is not a statement about that
      if (d.async || d.promise) entry = d.returns ? { kind: 'async', returns: d.returns } : { kind: 'async', promise: true };
      else if (d.returns) entry = { kind: 'factory', returns: d.returns };
      else entry = { kind: 'sync' };
    }
    if (since) entry.since = since;
    functions[name] = entry;
  }

  // the shapes of returned objects, and of the objects their methods return, transitively
  for (let type = pending.shift(); type; type = pending.shift()) {
    const name = interfaceName(type)!;
    if (objects[name]) continue;
    const shape: ObjectShape = { methods: {}, properties: [] };
    objects[name] = shape;
    for (const prop of checker.getPropertiesOfType(type)) {
      const decl = prop.valueDeclaration ?? prop.declarations?.[0];
      const propType = decl ? checker.getTypeOfSymbolAtLocation(prop, decl) : checker.getTypeOfSymbol(prop);
      const sigs = propType.getCallSignatures();
      if (sigs.length) {
        const d = describeSignatures(sigs);
        shape.methods[prop.getName()] = { ...(d.returns ? { returns: d.returns } : {}), ...(d.async ? { async: true } : {}) };
      } else {
        shape.properties.push(prop.getName());
        interfaceName(propType);
      }
    }
  }

  // a factory whose result has no methods is a plain sync API returning data (getSystemInfoSync, getWindowInfo...)
  for (const entry of Object.values(functions)) {
    if (entry.kind === 'factory' && entry.returns && !Object.keys(objects[entry.returns]?.methods ?? {}).length) {
      entry.kind = 'sync';
    }
  }

  const version = require(path.join(TYPINGS_DIR, 'package.json')).version as string;
  return { typingsVersion: version, functions: sortKeys(functions), objects: sortKeys(objects) };
}

function sortKeys<T>(o: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
