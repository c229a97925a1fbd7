// Placeholder: the react types entry (issue 13, item 2) replaces this file.
export {};
