// Types for the parts of vcd-stream (wavedrom/vcd, MIT) that test/vcd.test.ts uses as an outside
// reader of the writer's waveforms: the WebAssembly build of its llparse-generated VCD parser.
declare module 'vcd-stream' {
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
  const vcd: {
    createVCD(): Promise<VcdModule>;
    webVcdParser(mod: VcdModule): Promise<VcdParser>;
  };
  export default vcd;
}
