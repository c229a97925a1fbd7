// Placeholder: the vue types entry (issue 13, item 2) replaces this file.
export {};
