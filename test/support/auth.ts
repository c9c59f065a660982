// The admin API token every test server is started with (JOBSERV_ADMIN_TOKEN),
// and request headers that carry it.
export const TEST_ADMIN_TOKEN = "jst_test-admin-token-0123456789abcdef";

export const adminHeaders = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } as const;
