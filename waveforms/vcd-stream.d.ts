// Types for the parts of vcd-stream (wavedrom/vcd, MIT) that test/vcd.test.ts uses as an outside
// reader of the writer's waveforms: the WebAssembly build of its llparse-generated VCD parser,
// imported by file so the package's native addon (its main entry loads it) is never needed.
declare module 'vcd-stream/lib/web-vcd-parser.js' {
  import type { Writable } from 'node:stream';

  export interface VcdScope {
    kind: 'scope';
    type: string;
    name: string;
    body: (VcdScope | VcdVarDecl)[];
  }
  export interface VcdVarDecl {
    kind: 'var';
    type: string;
    size: number;
    link: string;
    name: string;
  }
  export interface VcdInfo {
    status?: 'declaration' | 'simulation';
    wires: VcdScope;
    timescale?: string;
    date?: string;
    version?: string;
  }
  export interface VcdParser extends Writable {
    info: VcdInfo;
    change: {
      any(fn: (id: string, time: bigint, cmd: number, value?: bigint, mask?: bigint) => void): void;
      on(id: string, fn: (time: bigint, cmd: number, value?: bigint, mask?: bigint) => void): void;
    };
    getTime(): bigint;
    _write(chunk: Uint8Array, encoding: string, callback: () => void): void;
  }
  export interface VcdModule {
    readonly __brand: 'vcd-wasm';
  }
  const webVcdParser: (mod: VcdModule) => Promise<VcdParser>;
  export default webVcdParser;
}

declare module 'vcd-stream/out/vcd.js' {
  import type { VcdModule } from 'vcd-stream/lib/web-vcd-parser.js';
  const createVCD: () => Promise<VcdModule>;
  export default createVCD;
}
