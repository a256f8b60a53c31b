/** A locale tag such as `en`, `en-US`, `fr_FR`. */
export const LOCALE_PATTERN = '^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$';

/** No CR or LF: the value may reach an e-mail header. */
export const SINGLE_LINE_PATTERN = '^[^\\r\\n]*$';

export const SANDBOX_PATTERN = '^[a-z0-9][a-z0-9-]{0,63}$';

export const NAMESPACE_PATTERN = '^[A-Za-z0-9_.-]{1,64}$';

/** An ISO 3166 alpha-2 region, upper case: the default region of phone numbers. */
export const REGION_PATTERN = '^[A-Z]{2}$';
