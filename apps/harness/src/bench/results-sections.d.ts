/** The marked sections of a RESULTS.md text, in order, markers included. */
export declare function resultsSections(text: string): string[];
/** `text` with section `name` set to `body` (replaced where it was, else appended). */
export declare function withResultsSection(text: string, name: string, body: string): string;
export declare function upsertResultsSection(file: string, name: string, body: string): Promise<void>;
//# sourceMappingURL=results-sections.d.ts.map