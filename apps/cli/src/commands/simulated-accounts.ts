import { makeAirbnbCookie } from '@staysync/simulators';

/**
 * Creates Airbnb accounts of the simulator through the admin API, as an operator adds them: each one's
 * first sync (a backfill) is queued. `client` names the tool in the stored client version and user agent.
 */
export async function createSimulatedAirbnbAccounts(
  adminPort: number,
  apiKey: string,
  accountIds: string[],
  client: string,
): Promise<void> {
  for (const accountId of accountIds) {
    const response = await fetch(`http://127.0.0.1:${adminPort}/api/v1/airbnb/accounts`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-API-Key': apiKey },
      body: JSON.stringify({
        cookie: makeAirbnbCookie(accountId),
        x_client_version: client,
        user_agent: `staysync-${client}`,
      }),
    });
    if (response.status !== 201)
      throw new Error(
        `creating ${client} account ${accountId} failed: HTTP ${response.status} ${await response.text()}`,
      );
  }
}
