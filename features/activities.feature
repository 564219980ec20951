Feature: Sales activities, to Marketo and to Salesforce, and the Smart Grid
  SIA logs every sales action to Marketo as one of 8 native activity types with its
  attributes, and to Salesforce as Tasks, one way, each kind switched on or off. The
  Smart Grid reads a person's activity from Marketo on every load. Carla is a contact,
  Lena and Sam are leads.

  Background:
    Given the data set "owner-filter" in Salesforce and Marketo
    And the admin has started the data sync

  @A-TO-MARKETO
  Scenario Outline: Each sales action logs exactly one native activity to Marketo, once
    When a seller <action> "<person>"
    Then Marketo has exactly 1 "<type>" activity for "<person>"
    And Marketo's sales activities for "<person>" are of the types "<types>" only
    When SIA runs every periodic sync
    Then Marketo has exactly 1 "<type>" activity for "<person>"

    Examples:
      | action                                                                  | person              | type                        | types                                              |
      | sends the sales email "Quarterly review" to                             | carla@acme.example  | Send Sales Email            | Send Sales Email                                   |
      | sends the sales email "Renewal" in the sales campaign "Q4 Outreach" to  | lena@leadco.example | Send Sales Email            | Send Sales Email                                   |
      | records an open of a sales email to                                     | lena@leadco.example | Open Sales Email            | Send Sales Email, Open Sales Email                 |
      | records a click in a sales email to                                     | carla@acme.example  | Click Sales Email           | Send Sales Email, Click Sales Email                |
      | records a reply to a sales email to                                     | lena@leadco.example | Replied to Sales Email      | Send Sales Email, Replied to Sales Email           |
      | records a bounce of a sales email to                                    | carla@acme.example  | Sales Email Bounced         | Send Sales Email, Sales Email Bounced              |
      | logs a completed call of 95 seconds with                                | carla@acme.example  | Sales Call Received         | Sales Call Received                                |
      | logs a no answer call of 20 seconds with                                | lena@leadco.example | Sales Call Received         | Sales Call Received                                |
      | logs a cancelled call of 0 seconds with                                 | sam@syncco.example  | Sales Call Received         | Sales Call Received                                |
      | logs a failed call of 3 seconds with                                    | carla@acme.example  | Sales Call Received         | Sales Call Received                                |
      | adds to the sales campaign "Q4 Outreach"                                | lena@leadco.example | Add to Sales Campaign       | Add to Sales Campaign                              |
      | removes from the sales campaign "Q4 Outreach"                           | carla@acme.example  | Removed from Sales Campaign | Add to Sales Campaign, Removed from Sales Campaign |

  @A-TO-MARKETO
  Scenario: SIA logs nothing to Marketo but the 8 sales activity types
    When a seller sends the sales email "Hello" to "carla@acme.example"
    And a seller records a reply to a sales email to "lena@leadco.example"
    And a seller logs a completed call of 30 seconds with "sam@syncco.example"
    And a seller adds to the sales campaign "Q4 Outreach" "carla@acme.example"
    Then every activity SIA logged to Marketo is one of the 8 sales activity types

  @A-TO-MARKETO
  Scenario: Repeated actions are each logged, none merged
    When a seller sends the sales email "Quarterly review" to "carla@acme.example"
    And a seller records an open of that email
    And a seller records another open of that email
    And a seller sends the sales email "Quarterly review" to "carla@acme.example"
    And a seller adds "carla@acme.example" to the sales campaign "Q4 Outreach"
    And a seller removes "carla@acme.example" from the sales campaign "Q4 Outreach"
    And a seller adds "carla@acme.example" to the sales campaign "Q4 Outreach"
    And a seller logs a completed call of 60 seconds with "carla@acme.example"
    And a seller logs a completed call of 60 seconds with "carla@acme.example"
    Then Marketo has exactly 2 "Send Sales Email" activities for "carla@acme.example"
    And Marketo has exactly 2 "Open Sales Email" activities for "carla@acme.example"
    And Marketo has exactly 2 "Add to Sales Campaign" activities for "carla@acme.example"
    And Marketo has exactly 1 "Removed from Sales Campaign" activity for "carla@acme.example"
    And Marketo has exactly 2 "Sales Call Received" activities for "carla@acme.example"

  @A-TO-MARKETO
  Scenario: With logging to Salesforce switched off, Marketo still gets every activity
    Given the setting "email_logging" is off
    And the setting "call_logging" is off
    When a seller sends the sales email "Quarterly review" to "lena@leadco.example"
    And a seller records a reply of that email
    And a seller logs a completed call of 95 seconds with "lena@leadco.example"
    Then Marketo has exactly 1 "Send Sales Email" activity for "lena@leadco.example"
    And Marketo has exactly 1 "Replied to Sales Email" activity for "lena@leadco.example"
    And Marketo has exactly 1 "Sales Call Received" activity for "lena@leadco.example"

  @A-ATTRIBUTES
  Scenario: A sales email in a campaign carries its attributes, and its subject a unique marker
    When a seller sends the sales email "Quarterly review" in the sales campaign "Q4 Outreach" to "carla@acme.example"
    And a seller sends the sales email "Quarterly review" in the sales campaign "Q4 Outreach" to "carla@acme.example"
    Then every "Send Sales Email" activity of "carla@acme.example" has the attributes:
      | attribute               | value       |
      | Source                  | Sales App   |
      | Sales Campaign Name     | Q4 Outreach |
      | Sales Campaign URL      | (any)       |
      | Sent By                 | (any)       |
      | Marketo Sales Person ID | (any)       |
    And every "Send Sales Email" subject of "carla@acme.example" is "Quarterly review" followed by a marker of its own

  @A-ATTRIBUTES
  Scenario: Subjects keep every character, however long and whatever the script
    When a seller sends the sales email "[190 characters]" to "carla@acme.example"
    And a seller sends the sales email "[190 characters]" to "carla@acme.example"
    Then every "Send Sales Email" subject of "carla@acme.example" is "[190 characters]" followed by a marker of its own

  @A-ATTRIBUTES
  Scenario: Opens and clicks carry their email's attributes, a click its link
    When a seller sends the sales email "Pricing" in the sales campaign "Q4 Outreach" to "lena@leadco.example"
    And a seller records an open of that email
    And a seller records a click of that email
    Then the "Open Sales Email" activity of "lena@leadco.example" has the attributes:
      | attribute               | value       |
      | Source                  | Sales App   |
      | Sales Campaign Name     | Q4 Outreach |
      | Sent By                 | (any)       |
      | Marketo Sales Person ID | (any)       |
    And the "Click Sales Email" activity of "lena@leadco.example" has the attributes:
      | attribute           | value                                       |
      | Source              | Sales App                                   |
      | Sales Campaign Name | Q4 Outreach                                 |
      | Link                | https://acme.example/pricing?utm_source=sia |
    And the "Open Sales Email" activities of "lena@leadco.example" carry the subject and marker of its "Send Sales Email"
    And the "Click Sales Email" activities of "lena@leadco.example" carry the subject and marker of its "Send Sales Email"

  @A-ATTRIBUTES
  Scenario: A reply and a bounce carry their attributes
    When a seller records a reply to a sales email to "carla@acme.example"
    And a seller records a bounce of a sales email to "lena@leadco.example"
    Then the "Replied to Sales Email" activity of "carla@acme.example" has the attributes:
      | attribute               | value     |
      | Received By             | (any)     |
      | Source                  | Sales App |
      | Marketo Sales Person ID | (any)     |
    And the "Sales Email Bounced" activity of "lena@leadco.example" has the attributes:
      | attribute               | value               |
      | Email                   | lena@leadco.example |
      | Details                 | (any)               |
      | Sent By                 | (any)               |
      | Marketo Sales Person ID | (any)               |

  @A-ATTRIBUTES
  Scenario Outline: A call carries its status, subject, duration, who answered and its recording
    When a seller logs a <status> call of <seconds> seconds with "carla@acme.example"
    Then the "Sales Call Received" activity of "carla@acme.example" has the attributes:
      | attribute                | value                                   |
      | Sales Call Status        | <status>                                |
      | Sales Call Subject       | Discovery call                          |
      | Sales Call Duration      | <seconds>                               |
      | Sales Call Answered By   | Carla                                   |
      | Sales Call Recording URL | https://calls.sia.example/recordings/42 |
      | Sales Call Made By       | (any)                                   |
      | Source                   | Sales App                               |
      | Marketo Sales Person ID  | (any)                                   |

    Examples:
      | status    | seconds |
      | completed | 95      |
      | no answer | 30      |
      | cancelled | 0       |
      | failed    | 4000    |

  @A-ATTRIBUTES
  Scenario: Adding to and removing from a sales campaign carry the campaign
    When a seller removes from the sales campaign "Spring Launch" "lena@leadco.example"
    Then the "Add to Sales Campaign" activity of "lena@leadco.example" has the attributes:
      | attribute           | value         |
      | Sales Campaign Name | Spring Launch |
      | Sales Campaign ID   | (any)         |
      | Sales Campaign URL  | (any)         |
      | Sent By             | (any)         |
      | Source              | Sales App     |
    And the "Removed from Sales Campaign" activity of "lena@leadco.example" has the attributes:
      | attribute           | value         |
      | Sales Campaign Name | Spring Launch |
      | Sales Campaign ID   | (any)         |
      | Source              | Sales App     |

  @A-ATTRIBUTES
  Scenario: Marketo selects people by a sales activity's type and attributes
    When a seller sends the sales email "Quarterly review" in the sales campaign "Q4 Outreach" to "carla@acme.example"
    And a seller sends the sales email "Quarterly review" to "lena@leadco.example"
    And a seller logs a no answer call of 20 seconds with "sam@syncco.example"
    And a seller logs a completed call of 20 seconds with "lena@leadco.example"
    And a seller adds to the sales campaign "Spring Launch" "sam@syncco.example"
    Then Marketo selects exactly "carla@acme.example" by "Send Sales Email" with "Sales Campaign Name" "Q4 Outreach"
    And Marketo selects exactly "lena@leadco.example" by "Send Sales Email" with the subject of the email to "lena@leadco.example"
    And Marketo selects exactly "carla@acme.example, lena@leadco.example" by "Send Sales Email"
    And Marketo selects exactly "sam@syncco.example" by "Sales Call Received" with "Sales Call Status" "no answer"
    And Marketo selects exactly "sam@syncco.example" by "Add to Sales Campaign" with "Sales Campaign Name" "Spring Launch"

  @A-TO-SALESFORCE
  Scenario Outline: Every email, reply and call is logged as one native Task on the lead or contact
    When a seller <action> "<person>"
    Then Salesforce has exactly 1 Task of type "<type>" on the <who> "<person>"
    And every Task on the <who> "<person>" is a completed activity of today
    When SIA runs every periodic sync
    Then Salesforce has <count> Tasks on the <who> "<person>"

    Examples:
      | action                                                                  | person              | who     | type  | count |
      | sends the sales email "Quarterly review" to                             | carla@acme.example  | contact | Email | 1     |
      | sends the sales email "Quarterly review" to                             | lena@leadco.example | lead    | Email | 1     |
      | sends the sales email "Renewal" in the sales campaign "Q4 Outreach" to  | carla@acme.example  | contact | Email | 1     |
      | records a reply to a sales email to                                     | lena@leadco.example | lead    | Reply | 2     |
      | records a reply to a sales email to                                     | carla@acme.example  | contact | Reply | 2     |
      | logs a completed call of 95 seconds with                                | lena@leadco.example | lead    | Call  | 1     |
      | logs a no answer call of 20 seconds with                                | carla@acme.example  | contact | Call  | 1     |
      | logs a cancelled call of 0 seconds with                                 | lena@leadco.example | lead    | Call  | 1     |
      | logs a failed call of 3 seconds with                                    | sam@syncco.example  | lead    | Call  | 1     |

  @A-TO-SALESFORCE @reference
  Scenario: Once a lead is converted, its Tasks go on the contact
    When the Salesforce lead "lena@leadco.example" is converted
    And Marketo's Salesforce sync runs
    And SIA runs the incremental sync
    And a seller sends the sales email "Quarterly review" to "lena@leadco.example"
    Then Salesforce has a Task of type "Email" on the contact "lena@leadco.example"

  @A-SF-CONFIG @S-SETTINGS
  Scenario Outline: A kind switched off creates no Task, the other kind still does
    Given the setting "<setting>" is off
    When a seller <action> "<person>"
    Then Salesforce has no Task on the <who> "<person>"
    When a seller <other action> "<person>"
    Then Salesforce has 1 Task on the <who> "<person>"

    Examples:
      | setting       | action                                                                 | other action                                 | person              | who     |
      | email_logging | sends the sales email "Quarterly review" to                            | logs a completed call of 95 seconds with     | carla@acme.example  | contact |
      | email_logging | sends the sales email "Renewal" in the sales campaign "Q4 Outreach" to | logs a no answer call of 5 seconds with      | lena@leadco.example | lead    |
      | email_logging | records a reply to a sales email to                                    | logs a completed call of 95 seconds with     | lena@leadco.example | lead    |
      | call_logging  | logs a completed call of 95 seconds with                               | sends the sales email "Quarterly review" to  | lena@leadco.example | lead    |
      | call_logging  | logs a no answer call of 20 seconds with                               | sends the sales email "Quarterly review" to  | carla@acme.example  | contact |
      | call_logging  | logs a failed call of 2 seconds with                                   | sends the sales email "Renewal" to           | carla@acme.example  | contact |

  @A-SF-CONFIG
  Scenario: Reminder tasks create no Task while task sync is off, whatever the seller does
    Given the setting "task_sync" is off
    When a seller creates the reminder task "Call back" for "carla@acme.example"
    And the seller renames the task "Call back" to "Call back soon"
    And the seller completes the task "Call back soon"
    And a seller creates the reminder task "Follow up" for "lena@leadco.example"
    And SIA runs every periodic sync
    Then Salesforce has no Task on the contact "carla@acme.example"
    And Salesforce has no Task on the lead "lena@leadco.example"

  @A-ONE-WAY
  Scenario Outline: A change or deletion of a logged Task in Salesforce never flows back into SIA
    Given the setting "task_sync" is on
    And a seller sends the sales email "Quarterly review" to "carla@acme.example"
    And a seller logs a completed call of 95 seconds with "carla@acme.example"
    And SIA runs every periodic sync
    And SIA's own record of "carla@acme.example" as it is now
    When <change>
    And SIA runs every periodic sync
    And SIA runs every periodic sync
    Then SIA's own record of "carla@acme.example" is as it was
    And SIA has no reminder tasks
    And Marketo has exactly 1 "Send Sales Email" activity for "carla@acme.example"
    And Marketo has exactly 1 "Sales Call Received" activity for "carla@acme.example"

    Examples:
      | change                                                                                 |
      | in Salesforce the email Task on "carla@acme.example" gets the subject "Edited in Salesforce" |
      | in Salesforce the call Task on "carla@acme.example" gets the description "Notes from Salesforce" |
      | in Salesforce the call Task on "carla@acme.example" gets the status "Not Started"       |
      | in Salesforce the email Task on "carla@acme.example" gets the type ""                   |
      | in Salesforce the call Task on "carla@acme.example" gets the due date "2027-01-15"      |
      | in Salesforce the email Task on "carla@acme.example" is deleted                         |
      | in Salesforce the call Task on "carla@acme.example" is deleted                          |

  @A-ONE-WAY
  Scenario: A logged Task deleted in Salesforce is not made again by SIA
    Given a seller logs a completed call of 95 seconds with "lena@leadco.example"
    When in Salesforce the call Task on "lena@leadco.example" is deleted
    And SIA runs every periodic sync
    Then Salesforce has no call Task on "lena@leadco.example"
    And SIA's own record of "lena@leadco.example" has a "Sales Call Received"

  @A-TASK-SHAPE
  Scenario: Email, reply and call Tasks have their type, subject and person
    Given the setting "email_subject_template" is "Sales email: {subject} ({name})"
    And the setting "call_subject_template" is "Call: {subject}"
    When a seller sends the sales email "Quarterly review" to "carla@acme.example"
    And a seller records a reply to that email
    And a seller logs a completed call of 95 seconds with "carla@acme.example"
    Then Salesforce has these Tasks on the contact "carla@acme.example":
      | Type  | Subject                                       |
      | Email | Sales email: Quarterly review (Carla Contact) |
      | Reply | Reply: Quarterly review                       |
      | Call  | Call: Discovery call                          |

  @A-TASK-SHAPE
  Scenario Outline: Every placeholder of a subject template is filled, for emails and calls
    Given the setting "<setting>" is "<template>"
    When a seller <action> "lena@leadco.example"
    Then Salesforce has these Tasks on the lead "lena@leadco.example":
      | Type   | Subject   |
      | <type> | <subject> |

    Examples:
      | setting                | template                       | action                                                                  | type  | subject                                     |
      | email_subject_template | {subject} for {name}           | sends the sales email "Quarterly review" to                             | Email | Quarterly review for Lena Lead              |
      | email_subject_template | [{type}] {company}: {subject}  | sends the sales email "Quarterly review" to                             | Email | [Email] Lead Co: Quarterly review           |
      | email_subject_template | {email} · {subject}            | sends the sales email "Quarterly review" to                             | Email | lena@leadco.example · Quarterly review      |
      | email_subject_template | {campaign} / {subject}         | sends the sales email "Renewal" in the sales campaign "Q4 Outreach" to  | Email | Q4 Outreach / Renewal                       |
      | call_subject_template  | {type} with {name}: {subject}  | logs a completed call of 95 seconds with                                | Call  | Call with Lena Lead: Discovery call         |
      | call_subject_template  | Llamada · {subject} ({company}) | logs a no answer call of 5 seconds with                                | Call  | Llamada · Discovery call (Lead Co)          |

  @A-TASK-SHAPE
  Scenario: A reply logs as "Reply: " and the email's subject, whatever the email template
    Given the setting "email_subject_template" is "Outreach | {subject} | {company}"
    When a seller sends the sales email "Próxima reunión" to "lena@leadco.example"
    And a seller records a reply to that email
    Then Salesforce has these Tasks on the lead "lena@leadco.example":
      | Type  | Subject                              |
      | Email | Outreach \| Próxima reunión \| Lead Co |
      | Reply | Reply: Próxima reunión               |

  @A-TASK-SHAPE @reference
  Scenario: By default an email Task is "Email: " and the subject, a call Task "Call: " and the call's
    When a seller sends the sales email "Quarterly review" to "carla@acme.example"
    And a seller logs a completed call of 95 seconds with "carla@acme.example"
    Then Salesforce has these Tasks on the contact "carla@acme.example":
      | Type  | Subject                 |
      | Email | Email: Quarterly review |
      | Call  | Call: Discovery call    |

  @A-TASK-SHAPE
  Scenario Outline: A subject longer than 255 characters is cut to its first 255, a shorter one kept whole
    When a seller sends a sales email with a subject of <length> characters to "carla@acme.example" and the subject template adds <more> more
    Then the Task's subject on the contact "carla@acme.example" is that subject cut to 255 characters

    Examples:
      | length | more |
      | 200    | 55   |
      | 200    | 56   |
      | 200    | 100  |
      | 150    | 0    |

  @A-TASK-SHAPE
  Scenario: A reminder task carries no Type, created or changed
    Given the setting "task_sync" is on
    When a seller creates the reminder task "Call back" for "carla@acme.example"
    Then Salesforce has a Task "Call back" on the contact "carla@acme.example" with no Type
    When the seller renames the task "Call back" to "Call back on Monday"
    And the seller completes the task "Call back on Monday"
    Then Salesforce has a Task "Call back on Monday" on the contact "carla@acme.example" with no Type

  @A-GRID
  Scenario: The Smart Grid shows the person's email, call, interesting moment and web activity from Marketo
    Given Marketo has a web visit and an interesting moment for "carla@acme.example"
    And Marketo has these activities for "carla@acme.example":
      | type          | primary                 | days ago |
      | Fill Out Form | Contact us              | 3        |
      | Open Email    | Spring newsletter       | 10       |
      | Click Email   | Spring newsletter       | 10       |
      | Visit Webpage | https://acme.example/a  | 300      |
    When a seller sends the sales email "Quarterly review" to "carla@acme.example"
    And a seller logs a completed call of 95 seconds with "carla@acme.example"
    And a seller opens the Smart Grid of "carla@acme.example"
    Then the Smart Grid has a "Visit Webpage", an "Interesting Moment", a "Fill Out Form", an "Open Email", a "Click Email", a "Send Sales Email" and a "Sales Call Received"
    And the Smart Grid shows the web visit "https://acme.example/a"
    And every item of the Smart Grid has a date
    And loading the Smart Grid asked Marketo's activities

  @A-GRID
  Scenario: Every load asks Marketo afresh: nothing comes from a cache
    When a seller opens the Smart Grid of "carla@acme.example"
    And Marketo records an interesting moment for "carla@acme.example"
    And a seller opens the Smart Grid of "carla@acme.example"
    Then the Smart Grid has an "Interesting Moment"
    When a seller sends the sales email "Quarterly review" to "carla@acme.example"
    And a seller opens the Smart Grid of "carla@acme.example"
    Then the Smart Grid has a "Send Sales Email"
    And each load of the Smart Grid asked Marketo's activities

  @A-GRID
  Scenario: Each person's Smart Grid shows that person's activity only
    Given Marketo has these activities for "carla@acme.example":
      | type          | primary               | days ago |
      | Visit Webpage | https://acme.example/c | 1       |
    And Marketo has these activities for "lena@leadco.example":
      | type          | primary                 | days ago |
      | Visit Webpage | https://leadco.example/l | 2       |
    When a seller opens the Smart Grid of "carla@acme.example"
    And a seller opens the Smart Grid of "lena@leadco.example"
    Then the Smart Grid shows the web visit "https://leadco.example/l"
    And the Smart Grid shows nothing of "carla@acme.example"
    And each load of the Smart Grid asked Marketo's activities

  @A-GRID
  Scenario: The newest activity shows however many come before it
    Given Marketo has 320 web visits of "lena@leadco.example", then an interesting moment "Asked for pricing"
    When a seller opens the Smart Grid of "lena@leadco.example"
    Then the Smart Grid shows the interesting moment "Asked for pricing"

  @P-OWN-DB
  Scenario: SIA keeps its own record of every sales activity, as the seller wrote it
    When a seller sends the sales email "Quarterly review" in the sales campaign "Q4 Outreach" to "carla@acme.example"
    And a seller records an open of that email
    And a seller records a click of that email
    And a seller records a reply of that email
    And a seller records a bounce of that email
    And a seller logs a completed call of 95 seconds with "carla@acme.example"
    And a seller removes from the sales campaign "Spring Launch" "carla@acme.example"
    And Marketo and Salesforce stop answering
    Then SIA's own record of "carla@acme.example" is exactly:
      | type                        | subject          |
      | Send Sales Email            | Quarterly review |
      | Open Sales Email            | Quarterly review |
      | Click Sales Email           | Quarterly review |
      | Replied to Sales Email      | Quarterly review |
      | Sales Email Bounced         | Quarterly review |
      | Sales Call Received         | Discovery call   |
      | Add to Sales Campaign       | Spring Launch    |
      | Removed from Sales Campaign | Spring Launch    |

  @P-OWN-DB
  Scenario: Sellers work while Marketo and Salesforce are out of reach
    When Marketo and Salesforce stop answering
    And a seller sends the sales email "Quarterly review" to "lena@leadco.example"
    And a seller logs a completed call of 95 seconds with "lena@leadco.example"
    And a seller adds to the sales campaign "Q4 Outreach" "lena@leadco.example"
    Then SIA's own record of "lena@leadco.example" has a "Send Sales Email", a "Sales Call Received" and an "Add to Sales Campaign"
