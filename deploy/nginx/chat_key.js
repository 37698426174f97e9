// Telegram update -> the chat it belongs to, for `hash $chat_key consistent` in front of the bot
// workers: all updates of one chat (an album's parts, one user's quick messages) reach one worker.
// Runs in js_set, so it must be cheap and must never throw: anything unreadable routes by update_id.

// Update fields whose object carries `.chat` (a message, or a chat-member change)...
var CHAT_FIELDS = ['message', 'edited_message', 'channel_post', 'edited_channel_post',
                   'business_message', 'edited_business_message', 'my_chat_member', 'chat_member',
                   'chat_join_request', 'message_reaction', 'message_reaction_count',
                   'chat_boost', 'removed_chat_boost'];
// ...and those with only a user (`.from`, or `.user` for a poll answer): their private chat id.
var USER_FIELDS = ['inline_query', 'chosen_inline_result', 'shipping_query', 'pre_checkout_query',
                   'poll_answer', 'purchased_paid_media'];

function chatOf(update) {
    var i, part;
    for (i = 0; i < CHAT_FIELDS.length; i++) {
        part = update[CHAT_FIELDS[i]];
        if (part && part.chat && part.chat.id !== undefined) {
            return 'chat:' + part.chat.id;
        }
    }
    part = update.callback_query;
    if (part) {
        // an inline-mode button has no message: the user who pressed it
        if (part.message && part.message.chat) {
            return 'chat:' + part.message.chat.id;
        }
        if (part.from) {
            return 'chat:' + part.from.id;
        }
    }
    for (i = 0; i < USER_FIELDS.length; i++) {
        part = update[USER_FIELDS[i]];
        if (part) {
            var user = part.from || part.user;
            if (user && user.id !== undefined) {
                return 'chat:' + user.id;
            }
        }
    }
    return null;
}

function chatKey(r) {
    var body;
    try {
        // read by nginx before the upstream is chosen (proxy_request_buffering on); it throws if the
        // body outgrew client_body_buffer_size and went to a temporary file
        body = r.requestText;
    } catch (e) {
        return 'large';
    }
    if (!body) {
        return 'none';
    }
    try {
        var update = JSON.parse(body);
        var key = chatOf(update);
        if (key) {
            return key;
        }
        return 'update:' + update.update_id;
    } catch (e) {
        return 'unreadable';
    }
}

export default {chatKey, chatOf};
