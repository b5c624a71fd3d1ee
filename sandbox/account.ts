/** The one account and region the sandbox's ARNs, queue URLs and events name. */
export const SANDBOX_REGION = 'eu-west-2';
export const SANDBOX_ACCOUNT = '123456789012';
