// The package's own typings are not reachable through its "exports" map under NodeNext resolution;
// this is the part of its API Porta uses.
declare module '@hanazuki/node-jsonnet' {
  export class Jsonnet {
    tlaCode(key: string, value: string): this;
    evaluateSnippet(snippet: string, filename?: string): Promise<string>;
  }
}
