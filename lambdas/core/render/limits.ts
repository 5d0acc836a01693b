/** Sizes: Amazon Q Developer's limits and SNS's, and our own list lengths. */

// Amazon Q Developer custom notification limits (title 250, description 8000 characters); the list sizes
// are our own, kept small so a message stays readable on a phone.
export const TITLE_MAX = 250;
export const DESCRIPTION_MAX = 8000;
export const SUMMARY_MAX = 250;
export const NEXT_STEP_MAX = 1000;
export const NEXT_STEPS_MAX = 12;
export const KEYWORD_MAX = 64;
export const CONTEXT_VALUE_MAX = 256;
export const RELATED_MAX = 20;
/** Entries shown of any list (exposed tasks, images, skipped actions, CVEs) before "and N more". */
export const LIST_MAX = 25;
/** Body budgets for the email variant, largest first, tried until the message fits. */
export const EMAIL_BUDGETS = [60_000, 30_000, 10_000, 2_000] as const;
/** SNS allows 256 KB; stay well under it. */
export const MESSAGE_MAX_BYTES = 200 * 1024;
export const SUBJECT_MAX = 99;
