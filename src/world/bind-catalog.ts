// Builds the world's view of the probe catalog from src/probes/catalog.ts. In: nothing (the
// catalog reads probes/ lazily). Out: a WorldCatalog. Not a cache of its own: the catalog
// module already caches what it reads.

import { kernelFunction, kernelFunctions, kernelStruct, listTracepoints, syscallTable, tracepointFormat } from '../probes/catalog.js';
import type { WorldCatalog } from './catalog-view.js';

let view: WorldCatalog | undefined;

export function catalogView(): WorldCatalog {
  view ??= {
    syscalls: syscallTable(),
    tracepoint: tracepointFormat,
    struct: kernelStruct,
    kernelFunction,
    kernelFunctionNames: () => kernelFunctions().map((f) => f.name),
    rawTracepointCategory: (event) => listTracepoints().find((t) => t.event === event && t.category !== 'syscalls')?.category,
  };
  return view;
}
