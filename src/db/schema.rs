//! Table definitions shared by both backends (portable column types only).

diesel::table! {
    users (id) {
        id -> BigInt,
        email -> Text,
        name -> Text,
        role -> Text,
        password_hash -> Text,
        disabled -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> BigInt,
        user_id -> BigInt,
        name -> Text,
        token_hash -> Text,
        created_at -> Timestamp,
        last_used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    articles (id) {
        id -> Text,
        url -> Text,
        title -> Text,
        section -> Text,
        authors -> Text,
        published_at -> Timestamp,
        body -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    reports (id) {
        id -> BigInt,
        article_id -> Text,
        token_hash -> Text,
        category -> Text,
        quote -> Text,
        explanation -> Text,
        evidence_urls -> Text,
        reporter_name -> Nullable<Text>,
        reporter_email -> Nullable<Text>,
        status -> Text,
        severity -> Text,
        deadline_at -> Timestamp,
        assignee_id -> Nullable<BigInt>,
        duplicate_of -> Nullable<BigInt>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    events (id) {
        id -> BigInt,
        report_id -> Nullable<BigInt>,
        actor_id -> Nullable<BigInt>,
        actor_kind -> Text,
        kind -> Text,
        public -> Bool,
        payload -> Text,
        created_at -> Timestamp,
    }
}

diesel::joinable!(api_tokens -> users (user_id));
diesel::joinable!(reports -> articles (article_id));
diesel::joinable!(events -> reports (report_id));

diesel::allow_tables_to_appear_in_same_query!(users, api_tokens, articles, reports, events);
