import { createContext } from '@lit/context';
import type { ImportDraft } from '../../model/import-draft.js';

/**
 * The import the nearest `<hr-import>` is putting together. Its parts read it from here and ask
 * for changes with intent events (events/internal.ts), which the element applies in one place
 * (draft-intents.ts): nobody else writes it.
 */
export const draftContext = createContext<ImportDraft>(Symbol('hr-import-draft'));
