/** Where a value came from, so findings can point at `WEB01/applicationHost.config:213`. */
export interface SourcePos {
  file: string;
  line: number;
}
