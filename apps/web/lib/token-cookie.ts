/** Name of the httpOnly cookie holding the user's API token (never readable by page scripts). */
export const TOKEN_COOKIE = 'kdlens_token';
