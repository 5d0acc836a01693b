/** Log messages that alarms match on (cdk/constructs/alarms.ts and the notify/report-failure handlers): change them together. */
export const NOT_PUBLISHED_MESSAGE = 'notification not published';
