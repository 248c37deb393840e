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
        away -> Bool,
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
        severity_rank -> Integer,
        quote_start -> Nullable<BigInt>,
        quote_end -> Nullable<BigInt>,
        reader_replied_at -> Nullable<Timestamp>,
        decided_at -> Nullable<Timestamp>,
        corrected_at -> Nullable<Timestamp>,
        desk_id -> Nullable<BigInt>,
        escalated_at -> Nullable<Timestamp>,
        routed_at -> Nullable<Timestamp>,
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

diesel::table! {
    sessions (id_hash) {
        id_hash -> Text,
        user_id -> BigInt,
        created_at -> Timestamp,
        last_seen_at -> Timestamp,
    }
}

diesel::table! {
    login_failures (id) {
        id -> BigInt,
        key_hash -> Text,
        at -> Timestamp,
    }
}

diesel::table! {
    ticket_views (report_id, user_id) {
        report_id -> BigInt,
        user_id -> BigInt,
        seen_at -> Timestamp,
    }
}

diesel::table! {
    setup_tokens (token_hash) {
        token_hash -> Text,
        created_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    standards (id) {
        id -> BigInt,
        code -> Text,
        version -> Integer,
        title -> Text,
        body -> Text,
        created_at -> Timestamp,
        created_by -> Nullable<BigInt>,
    }
}

diesel::table! {
    corrections (id) {
        id -> BigInt,
        article_id -> Text,
        kind -> Text,
        body -> Text,
        original -> Nullable<Text>,
        corrected -> Nullable<Text>,
        headline -> Bool,
        supersedes -> Nullable<BigInt>,
        status -> Text,
        created_by -> BigInt,
        created_at -> Timestamp,
        approved_by -> Nullable<BigInt>,
        published_by -> Nullable<BigInt>,
        published_at -> Nullable<Timestamp>,
        redrafts -> Nullable<BigInt>,
        cause -> Text,
        found -> Text,
    }
}

diesel::table! {
    correction_standards (correction_id, standard_id) {
        correction_id -> BigInt,
        standard_id -> BigInt,
    }
}

diesel::table! {
    correction_reports (correction_id, report_id) {
        correction_id -> BigInt,
        report_id -> BigInt,
    }
}

diesel::table! {
    log_entries (idx) {
        idx -> BigInt,
        correction_id -> BigInt,
        canonical -> Text,
        hash -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    log_keys (public_key) {
        public_key -> Text,
        from_size -> BigInt,
        until_size -> Nullable<BigInt>,
        endorsement -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    outbox (id) {
        id -> BigInt,
        kind -> Text,
        recipient -> Text,
        subject -> Text,
        body_text -> Text,
        body_html -> Text,
        message_id -> Text,
        list_unsubscribe -> Nullable<Text>,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        claimed_until -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    subscriptions (id) {
        id -> BigInt,
        article_id -> Text,
        email -> Text,
        token_hash -> Text,
        status -> Text,
        created_at -> Timestamp,
        confirmed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    subscription_links (token_hash) {
        token_hash -> Text,
        subscription_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    report_links (token_hash) {
        token_hash -> Text,
        report_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    digest_runs (day) {
        day -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    saved_responses (id) {
        id -> BigInt,
        title -> Text,
        body -> Text,
        purpose -> Text,
        created_at -> Timestamp,
        created_by -> Nullable<BigInt>,
        updated_at -> Timestamp,
        updated_by -> Nullable<BigInt>,
    }
}

diesel::table! {
    wordings (kind) {
        kind -> Text,
        text -> Text,
        updated_by -> Nullable<BigInt>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    channels (id) {
        id -> BigInt,
        name -> Text,
        kind -> Text,
        partners -> Text,
        created_at -> Timestamp,
        retired_at -> Nullable<Timestamp>,
        endpoint_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    correction_channels (correction_id, channel_id) {
        correction_id -> BigInt,
        channel_id -> BigInt,
        done_at -> Nullable<Timestamp>,
        done_via -> Nullable<Text>,
        done_by -> Nullable<BigInt>,
        link -> Nullable<Text>,
    }
}

diesel::table! {
    channel_deliveries (via, ref_id) {
        via -> Text,
        ref_id -> BigInt,
        correction_id -> BigInt,
        channel_id -> BigInt,
        delivered_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    desks (id) {
        id -> BigInt,
        slug -> Text,
        name -> Text,
        lead_id -> Nullable<BigInt>,
        sections -> Text,
        categories -> Text,
        severities -> Text,
        assignment -> Text,
        position -> Integer,
        endpoint_id -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    desk_members (desk_id, user_id) {
        desk_id -> BigInt,
        user_id -> BigInt,
        turn -> BigInt,
    }
}

diesel::joinable!(desk_members -> desks (desk_id));
diesel::joinable!(desk_members -> users (user_id));
diesel::joinable!(api_tokens -> users (user_id));
diesel::joinable!(correction_channels -> channels (channel_id));
diesel::joinable!(correction_channels -> corrections (correction_id));
diesel::joinable!(report_links -> reports (report_id));
diesel::joinable!(subscription_links -> subscriptions (subscription_id));
diesel::joinable!(corrections -> articles (article_id));
diesel::joinable!(correction_standards -> corrections (correction_id));
diesel::joinable!(correction_standards -> standards (standard_id));
diesel::joinable!(correction_reports -> corrections (correction_id));
diesel::joinable!(correction_reports -> reports (report_id));
diesel::joinable!(log_entries -> corrections (correction_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(ticket_views -> users (user_id));
diesel::joinable!(ticket_views -> reports (report_id));
diesel::joinable!(reports -> articles (article_id));
diesel::joinable!(events -> reports (report_id));

diesel::allow_tables_to_appear_in_same_query!(
    users,
    api_tokens,
    articles,
    reports,
    events,
    sessions,
    login_failures,
    ticket_views,
    setup_tokens,
    standards,
    corrections,
    correction_standards,
    correction_reports,
    log_entries,
    outbox,
    subscriptions,
    subscription_links,
    report_links,
    digest_runs,
    saved_responses,
    wordings,
    channels,
    correction_channels,
    channel_deliveries,
    desks,
    desk_members,
);

diesel::table! {
    report_tallies (status, category, severity, assignee_id) {
        status -> Text,
        category -> Text,
        severity -> Text,
        assignee_id -> BigInt,
        n -> BigInt,
    }
}

diesel::table! {
    desk_tallies (desk_id, status, category, severity, assignee_id) {
        desk_id -> BigInt,
        status -> Text,
        category -> Text,
        severity -> Text,
        assignee_id -> BigInt,
        n -> BigInt,
    }
}

diesel::table! {
    sections (name) {
        name -> Text,
        reports -> BigInt,
        corrections -> BigInt,
    }
}

diesel::table! {
    public_version (id) {
        id -> Integer,
        n -> BigInt,
    }
}

diesel::table! {
    stats_zone (starts) {
        starts -> Timestamp,
        seconds -> Integer,
    }
}

diesel::table! {
    stats_settings (id) {
        id -> Integer,
        zone -> Text,
    }
}

diesel::table! {
    webhook_endpoints (id) {
        id -> BigInt,
        url -> Text,
        kind -> Text,
        events -> Text,
        secret_sealed -> Text,
        created_at -> Timestamp,
        removed_at -> Nullable<Timestamp>,
        last_status -> Nullable<Integer>,
        last_error -> Nullable<Text>,
        last_attempt_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> BigInt,
        endpoint_id -> BigInt,
        event -> Text,
        message_id -> Text,
        body -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        claimed_until -> Nullable<Timestamp>,
        last_status -> Nullable<Integer>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    webhook_overdue_alerts (report_id) {
        report_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::joinable!(webhook_deliveries -> webhook_endpoints (endpoint_id));
diesel::allow_tables_to_appear_in_same_query!(webhook_endpoints, webhook_deliveries, webhook_overdue_alerts, reports);
