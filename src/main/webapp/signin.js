// How rtcsound's pages sign in, shared by the page at / (page.js) and the operator page
// (operator.js): a plain ES module, no build step.
//
// The token comes in the fragment, #jwt_token=<JWT>, which browsers never send to a server
// (so it sits in no access log). Without one, a server that offers the local demo sign-in
// (the embedded default, on localhost only) gives this browser a token of its own.

/** The token in this page's fragment, or null; taken out of the address, the history and copied links. */
export function takeFragmentToken() {
  const token = new URLSearchParams(location.hash.slice(1)).get('jwt_token');
  if (token) {
    history.replaceState(null, '', location.pathname + location.search);
  }
  return token;
}

/** The token's claims, read without checking: the server checks; pages only want `sub` and `exp`. */
export function claims(token) {
  try {
    const payload = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    return JSON.parse(atob(payload));
  } catch (e) {
    return {};
  }
}

/**
 * Where a page gets demo tokens for `user` (with the admin group when `admin`): a function
 * that returns a token, signing in again a minute before the last one expires.
 */
export function demoTokens(user, { admin = false } = {}) {
  let token = null;
  return async () => {
    if (token && claims(token).exp * 1000 - Date.now() > 60000) {
      return token;
    }
    const response = await fetch('/API/rtcsound/demo-sign-in', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(admin ? { user, admin: true } : { user }),
    });
    const reply = await response.json();
    if (!response.ok) {
      throw new Error(reply.message ?? `demo sign-in answered ${response.status}`);
    }
    token = reply.token;
    return token;
  };
}

/** What the server tells pages before sign-in: its https address, and whether the demo sign-in is on. */
export async function pageInfo() {
  try {
    return await (await fetch('/API/rtcsound/page-info')).json();
  } catch (e) {
    return {};
  }
}
