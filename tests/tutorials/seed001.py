# Seed 001 (a Korean walkthrough of the Assistants API in Python): the tutorial's code as its
# readers run it. Kept verbatim apart from formatting and two changes the post's own text asks
# for: the ids it pastes by hand are the ones the calls before returned, and each step is a
# function the test calls in the post's order.
# ruff: noqa
# type: ignore
from dotenv import load_dotenv
import os
from openai import OpenAI

load_dotenv()
API_KEY = os.environ["OPENAI_API_KEY"]

client = OpenAI(api_key=API_KEY)


def create_assistant():
    assistant = client.beta.assistants.create(
        name="Math Tutor2",
        instructions="You are a personal math tutor. Write and run code to answer math questions.",
        tools=[{"type": "code_interpreter"}],
        model="gpt-4-1106-preview",
    )
    print(assistant)
    return assistant.id


def create_thread():
    thread = client.beta.threads.create()
    print(thread)
    return thread.id


def create_message(thread_id):
    message = client.beta.threads.messages.create(
        thread_id=thread_id,
        role="user",
        content="I need to solve the equation `3x + 11 = 14`. Can you help me?",
    )
    print(message)
    return message.id


def create_run(thread_id, assistant_id):
    run = client.beta.threads.runs.create(
        thread_id=thread_id,
        assistant_id=assistant_id,
        instructions="Please address the user as Jane Doe. The user has a premium account.",
    )
    print(run)  # status='queued' 에서 status='completed' 되야 완료
    return run.id


def retrieve_run(thread_id, run_id):
    run = client.beta.threads.runs.retrieve(thread_id=thread_id, run_id=run_id)
    print(run)
    return run


def show_answer(thread_id):
    messages = client.beta.threads.messages.list(thread_id=thread_id)
    print(messages.data[0].content[0].text.value)
    return messages
