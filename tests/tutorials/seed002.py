# Seed 002 (History Tutor): the tutorial's code, verbatim apart from formatting.
# ruff: noqa
# type: ignore
import json
import os

from openai import OpenAI

client = OpenAI()

import time


def wait_on_run(run, thread):
    while run.status == "queued" or run.status == "in_progress":
        run = client.beta.threads.runs.retrieve(
            thread_id=thread.id,
            run_id=run.id,
        )
        time.sleep(0.5)
    return run


def tutorial(assistant_name="History Tutor"):
    assistant = client.beta.assistants.create(
        name=assistant_name,
        instructions="You are a personal history tutor. Answer questions briefly, in three sentence or less.",
        model="gpt-4-1106-preview",
    )
    thread = client.beta.threads.create()
    message = client.beta.threads.messages.create(
        thread_id=thread.id,
        role="user",
        content="What year was the USA founded?",
    )
    run = client.beta.threads.runs.create(
        thread_id=thread.id,
        assistant_id=assistant.id,
    )
    run = wait_on_run(run, thread)
    messages = client.beta.threads.messages.list(thread_id=thread.id)
    first = messages

    # Create a message to append to our thread
    message = client.beta.threads.messages.create(
        thread_id=thread.id, role="user", content="Could you give me a little more detail on this?"
    )
    # Execute our run
    run = client.beta.threads.runs.create(
        thread_id=thread.id,
        assistant_id=assistant.id,
    )
    # Wait for completion
    wait_on_run(run, thread)
    # Retrieve all the messages added after our last user message
    messages = client.beta.threads.messages.list(thread_id=thread.id, order="asc", after=message.id)
    return first, messages
